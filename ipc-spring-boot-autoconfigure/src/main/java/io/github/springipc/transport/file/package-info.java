/**
 * Files behind the channels: the private directory that holds sockets and regions, and
 * memory-mapped region files that are created whole or not at all.
 */
package io.github.springipc.transport.file;
