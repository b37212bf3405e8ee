package io.github.springipc.process;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/** A sibling that answers every line of its standard input with {@code echo: <line>}. */
public final class EchoMain {

    private EchoMain() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("echo ready pid=" + ProcessHandle.current().pid() + " args=" + String.join(",", args)
                + " greeting=" + System.getProperty("greeting"));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("exit")) {
                System.exit(3);
            }
            System.out.println("echo: " + line);
        }
    }
}
