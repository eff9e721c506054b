package io.eventline.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.eventline.changerecord.RecordTypes;

/** The example knows only types Eventline publishes (a misspelt one would be skipped as unknown, silently). */
class PayloadsTest {

    @Test
    void everyTypeTheExampleHandlesIsAnEventlineRecordType() {
        assertThat(RecordTypes.all()).containsAll(Payloads.TYPES.keySet());
    }
}
