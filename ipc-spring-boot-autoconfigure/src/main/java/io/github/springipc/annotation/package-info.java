/**
 * The annotation programming model: {@link io.github.springipc.annotation.IpcListener},
 * {@link io.github.springipc.annotation.EnableIpc} and the post-processor that turns annotated
 * methods into listener endpoints.
 */
package io.github.springipc.annotation;
