package io.github.springipc.sample;

/** A unit of work sent through the queue as JSON and converted back by the worker's listener. */
public record Job(int id, String task) {
}
