package io.github.springipc.messaging;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import tools.jackson.core.util.BufferRecycler;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.core.util.RecyclerPool;

/**
 * Where the parsers and generators of the IPC converter's mapper take their buffers from: a
 * platform thread keeps its own (Jackson's thread-local pool), a virtual thread borrows from a
 * pool shared by this mapper's virtual threads.
 *
 * <p>Why not Jackson 3's default, a lock-free deque per factory: each recycler taken from it and
 * given back costs two compare-and-swaps and a node allocation (a read takes one, a write two),
 * together about 12 % of the CPU time of the whole POJO path on either side (measured with
 * {@code PojoPathProfile}). Listener threads and most senders are long-lived platform threads,
 * for which a thread-local recycler costs one lookup. Jackson moved away from thread-locals
 * because of virtual threads, which each would make a recycler of their own; those still get the
 * shared pool here. The price: each platform thread that converts JSON keeps its largest buffers
 * (softly referenced, as Jackson 2 did by default).
 *
 * <p>Jackson takes recyclers with {@link #acquireAndLinkPooled()} and gives them back through the
 * recycler itself, on the same thread; {@link #releasePooled} must be called on the thread that
 * took the recycler, like every pool keyed by thread.
 *
 * <p>{@link RecyclerPool} is {@code Serializable} for Jackson's sake; nothing here is ever
 * serialized.
 */
final class ThreadAwareRecyclerPool implements RecyclerPool<BufferRecycler> {

    private static final long serialVersionUID = 1L;

    /** {@code Thread.isVirtual()} on JDK 21 and later; {@code null} before, where every thread is a platform thread. */
    private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

    /** For virtual threads. */
    private final RecyclerPool<BufferRecycler> shared = JsonRecyclerPools.newConcurrentDequePool();

    @Override
    public BufferRecycler acquirePooled() {
        return poolOfCurrentThread().acquirePooled();
    }

    @Override
    public BufferRecycler acquireAndLinkPooled() {
        // a recycler from the shared pool is linked to it, and goes back there when released
        return poolOfCurrentThread().acquireAndLinkPooled();
    }

    /**
     * Gives back a recycler taken by {@link #acquirePooled()} on this thread: into the shared
     * pool from a virtual thread; from a platform thread, nowhere (it stays the thread's own,
     * and must never reach a pool other threads take from).
     */
    @Override
    public void releasePooled(BufferRecycler recycler) {
        poolOfCurrentThread().releasePooled(recycler);
    }

    @Override
    public int pooledCount() {
        return this.shared.pooledCount();
    }

    @Override
    public boolean clear() {
        return this.shared.clear();
    }

    private RecyclerPool<BufferRecycler> poolOfCurrentThread() {
        return isVirtual(Thread.currentThread()) ? this.shared : JsonRecyclerPools.threadLocalPool();
    }

    static boolean isVirtual(Thread thread) {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(thread);
        }
        catch (Throwable ex) {
            throw new IllegalStateException("Thread.isVirtual() failed", ex);
        }
    }

    private static MethodHandle isVirtualHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        }
        catch (NoSuchMethodException | IllegalAccessException ex) {
            return null; // before JDK 19 (a preview on 19 and 20): no virtual threads
        }
    }
}
