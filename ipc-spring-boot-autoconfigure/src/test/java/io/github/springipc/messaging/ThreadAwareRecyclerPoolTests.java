package io.github.springipc.messaging;

import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import tools.jackson.core.util.BufferRecycler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Platform threads keep a recycler each; virtual threads share a pool. */
class ThreadAwareRecyclerPoolTests {

    private final ThreadAwareRecyclerPool pool = new ThreadAwareRecyclerPool();

    @Test
    void aPlatformThreadKeepsItsRecyclerAndNeverGivesItToTheSharedPool() throws Exception {
        BufferRecycler first = this.pool.acquireAndLinkPooled();
        BufferRecycler nested = this.pool.acquireAndLinkPooled(); // a generator inside a write, say

        assertThat(nested).isSameAs(first);
        first.releaseToPool();
        assertThat(this.pool.pooledCount()).isZero();
        this.pool.releasePooled(first);
        assertThat(this.pool.pooledCount()).isZero();
        assertThat(this.pool.acquireAndLinkPooled()).isSameAs(first);
        AtomicReference<BufferRecycler> other = new AtomicReference<>();
        Thread thread = new Thread(() -> other.set(this.pool.acquireAndLinkPooled()));
        thread.start();
        thread.join(10_000);
        assertThat(other.get()).isNotNull().isNotSameAs(first);
    }

    @Test
    void virtualThreadsShareThePool() throws Exception {
        Method start = virtualThreadStarter();
        AtomicReference<BufferRecycler> first = new AtomicReference<>();
        AtomicReference<Boolean> virtual = new AtomicReference<>();
        Thread one = (Thread) start.invoke(null, (Runnable) () -> {
            virtual.set(ThreadAwareRecyclerPool.isVirtual(Thread.currentThread()));
            BufferRecycler recycler = this.pool.acquireAndLinkPooled();
            first.set(recycler);
            recycler.releaseToPool();
        });
        one.join(10_000);

        assertThat(virtual.get()).isTrue();
        assertThat(this.pool.pooledCount()).isEqualTo(1);
        AtomicReference<BufferRecycler> second = new AtomicReference<>();
        Thread two = (Thread) start.invoke(null, (Runnable) () -> second.set(this.pool.acquireAndLinkPooled()));
        two.join(10_000);
        assertThat(second.get()).isNotNull().isSameAs(first.get());
        assertThat(ThreadAwareRecyclerPool.isVirtual(Thread.currentThread())).isFalse();
    }

    /** {@code Thread.startVirtualThread}, on JDK 21 and later (the code is compiled for 17). */
    private static Method virtualThreadStarter() {
        try {
            return Thread.class.getMethod("startVirtualThread", Runnable.class);
        }
        catch (NoSuchMethodException ex) {
            assumeTrue(false, "no virtual threads on this JDK");
            return null;
        }
    }
}
