package io.eventline.http;

/** A create's result, and whether it replayed an earlier request with the same Idempotency-Key. */
public record Created<T>(T value, boolean replayed) {
}
