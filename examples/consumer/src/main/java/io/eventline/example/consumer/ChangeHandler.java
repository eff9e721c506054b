package io.eventline.example.consumer;

/**
 * What a team does with a change: update its own store, call its own service. It is called once
 * per {@code ce_id} (within the consumer's memory) and in order per key; when it throws, nothing
 * after the last handled record is committed, and the records are delivered again.
 */
@FunctionalInterface
public interface ChangeHandler {

    void handle(Change change) throws Exception;
}
