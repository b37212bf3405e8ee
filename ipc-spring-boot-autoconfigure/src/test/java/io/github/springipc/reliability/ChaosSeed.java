package io.github.springipc.reliability;

import java.util.Random;

/**
 * The seed of a chaos test's random choices: {@code -Dipc.chaos.seed=<n>} replays a run, otherwise
 * a fresh one is drawn. Always printed, so that a failing run can be replayed.
 */
final class ChaosSeed {

    private ChaosSeed() {
    }

    static Random random(String test) {
        String configured = System.getProperty("ipc.chaos.seed");
        long seed = configured != null ? Long.parseLong(configured) : System.nanoTime();
        System.out.println(test + ": seed " + seed + " (replay with -Dipc.chaos.seed=" + seed + ")");
        return new Random(seed);
    }
}
