package io.eventline.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;

class HistoryTest {

    private static Change change(int slot, long offset) {
        return new Change(slot, offset, 0, 0, new ChangeRecord("t", "k", "id-" + offset, "s", "event.updated", "k",
                Instant.EPOCH, Audience.PUBLIC, 1, "{}"));
    }

    @Test
    void replaysARangeInOrderAcrossOffsetGaps() {
        History h = new History(2, 8);
        h.startAt(0, 10);
        for (long o : new long[] { 10, 11, 13, 14 }) {
            h.append(change(0, o));
        }
        List<Long> seen = new ArrayList<>();
        assertThat(h.replay(0, 11, 15, c -> seen.add(c.offset))).isEqualTo(15);
        assertThat(seen).containsExactly(11L, 13L, 14L);
    }

    @Test
    void whatWasEvictedIsLeftToKafka() {
        History h = new History(1, 4);
        h.startAt(0, 0);
        for (long o = 0; o < 10; o++) {
            h.append(change(0, o));
        }
        assertThat(h.covers(0, 5)).isFalse();
        assertThat(h.covers(0, 6)).isTrue();
        assertThat(h.completeFrom(0)).isEqualTo(6);
        List<Long> seen = new ArrayList<>();
        assertThat(h.replay(0, 3, 10, c -> seen.add(c.offset))).isEqualTo(3);
        assertThat(seen).isEmpty();
        assertThat(h.replay(0, 7, 9, c -> seen.add(c.offset))).isEqualTo(9);
        assertThat(seen).containsExactly(7L, 8L);
    }

    @Test
    void beforeItsStartNothingIsCovered() {
        History h = new History(1, 4);
        h.startAt(0, 100);
        assertThat(h.covers(0, 99)).isFalse();
        assertThat(h.replay(0, 100, 100, c -> { })).isEqualTo(100);
    }
}
