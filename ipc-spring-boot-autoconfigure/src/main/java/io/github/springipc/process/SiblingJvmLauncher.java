package io.github.springipc.process;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Optional;

/**
 * Main class of every sibling JVM: it watches the parent process and halts this JVM when the
 * parent is gone (even after {@code kill -9}, which runs no shutdown hook in the parent), then
 * runs the requested main class.
 *
 * <p>Arguments: {@code <parent pid> <main class> [main arguments...]}.
 */
public final class SiblingJvmLauncher {

    /** Exit status of a sibling halted because its parent died. */
    public static final int ORPHANED_EXIT_CODE = 86;

    private SiblingJvmLauncher() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: SiblingJvmLauncher <parent pid> <main class> [args...]");
            System.exit(2);
        }
        watchParent(Long.parseLong(args[0]));
        Class<?> mainClass = Class.forName(args[1], false, Thread.currentThread().getContextClassLoader());
        Method main = mainClass.getMethod("main", String[].class);
        if (!Modifier.isStatic(main.getModifiers())) {
            throw new IllegalArgumentException(args[1] + ".main is not static");
        }
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
        }
        catch (InvocationTargetException ex) {
            throw ex.getCause();
        }
    }

    private static void watchParent(long parentPid) {
        Optional<ProcessHandle> parent = ProcessHandle.of(parentPid);
        if (parent.isEmpty()) {
            Runtime.getRuntime().halt(ORPHANED_EXIT_CODE);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("Parent process " + parentPid + " is gone; stopping sibling JVM");
            // exit, not halt: shutdown hooks close channels; a stuck hook is cut short below
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(10_000);
                }
                catch (InterruptedException ignored) {
                    // halting anyway
                }
                Runtime.getRuntime().halt(ORPHANED_EXIT_CODE);
            }, "sibling-orphan-halt");
            killer.setDaemon(true);
            killer.start();
            System.exit(ORPHANED_EXIT_CODE);
        });
    }
}
