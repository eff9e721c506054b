package io.eventline.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The keyset rule: ?limit and ?cursor read or refused as a 400, limit + 1 fetched, the next cursor from the last row kept. */
class PageTest {

    record Row(Instant at, UUID id) {
    }

    private static final Instant T = Instant.parse("2026-12-03T17:45:53.123456Z");

    @Test
    void aNextCursorReadsBackAsThePositionOfTheLastRowKept() {
        Page.Request<Cursor> first = Page.request("2", null);
        assertThat(first.after()).isNull();
        assertThat(first.fetch()).isEqualTo(3);
        List<Row> rows = rows(3);

        Page<String> page = first.page(rows, r -> new Cursor(r.at(), r.id()), r -> r.id().toString());

        assertThat(page.items()).containsExactly(rows.get(0).id().toString(), rows.get(1).id().toString());
        Page.Request<Cursor> second = Page.request("2", page.nextCursor());
        assertThat(second.after()).isEqualTo(new Cursor(rows.get(1).at(), rows.get(1).id()));
        assertThat(second.limit()).isEqualTo(2);
    }

    @Test
    void aCursorKeepsMicrosecondsAndTimesBeforeTheEpoch() {
        for (Instant at : List.of(T, Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999999Z"))) {
            Cursor c = new Cursor(at, UUID.randomUUID());
            assertThat(Cursor.decode(c.encode())).isEqualTo(c);
        }
    }

    @Test
    void theLastPageHasNoNextCursor() {
        Page.Request<Cursor> request = Page.request("2", null);
        assertThat(request.page(rows(2), r -> new Cursor(r.at(), r.id()), Row::id).nextCursor()).isNull();
        assertThat(request.page(rows(1), r -> new Cursor(r.at(), r.id()), Row::id).items()).hasSize(1);
        assertThat(request.page(List.<Row>of(), r -> new Cursor(r.at(), r.id()), Row::id))
                .isEqualTo(new Page<>(List.of(), null));
    }

    @Test
    void viewsOfTheWholePageSeeOnlyTheRowsKept() {
        Page<Integer> page = Page.request("2", null).pageOfAll(rows(3), r -> new Cursor(r.at(), r.id()),
                kept -> List.of(kept.size()));
        assertThat(page.items()).containsExactly(2);
        assertThat(page.nextCursor()).isNotNull();
    }

    @Test
    void anotherKindOfPositionIsSentBackInItsOwnForm() {
        Page.Request<Long> request = Page.request(6L, "2", String::valueOf);
        assertThat(request.after()).isEqualTo(6L);
        Page<Long> page = request.page(List.of(5L, 4L, 3L), seq -> seq, seq -> seq);
        assertThat(page).isEqualTo(new Page<>(List.of(5L, 4L), "4"));
        assertThat(Page.request((Long) null, null, String::valueOf).limit()).isEqualTo(Page.DEFAULT_LIMIT);
    }

    @Test
    void aQueryThatFetchedMoreThanLimitPlusOneIsOurBugNotAPage() {
        assertThatThrownBy(() -> Page.request("2", null).page(rows(4), r -> new Cursor(r.at(), r.id()), Row::id))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theLimitDefaultsTo20AndGoesFrom1To100() {
        assertThat(Page.request(null, null).limit()).isEqualTo(20);
        assertThat(Page.request("1", null).limit()).isEqualTo(1);
        assertThat(Page.request("100", null).limit()).isEqualTo(100);
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "101", "many", "1.5", "", " 5", "99999999999" })
    void aBadLimitIsA400NamingLimit(String limit) {
        assertBadRequest(() -> Page.request(limit, null), "limit", "must be an integer from 1 to 100");
        assertBadRequest(() -> Page.request(6L, limit, String::valueOf), "limit", "must be an integer from 1 to 100");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "forged!", // not base64url
            "", // empty
            "4", // a message seq: another kind of cursor
            "MTIz", // "123": no id
            "MTIzOm5vdC1hLXV1aWQ", // "123:not-a-uuid"
            "YWJjOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA", // "abc:<uuid>": no time
    })
    void aMalformedCursorIsA400NamingCursor(String cursor) {
        assertBadRequest(() -> Page.request("5", cursor), "cursor", "not a cursor this API returned");
    }

    @Test
    void aCursorLongerThanAnyThisApiMakesIsA400() {
        String longest = base64(Long.MIN_VALUE + ":" + UUID.randomUUID());
        assertThat(longest).hasSize(76).hasSizeLessThanOrEqualTo(Cursor.MAX_LENGTH);
        assertThat(Page.request("5", longest).after()).isNotNull();
        // a valid position, only padded with zeros past any cursor's length
        String padded = base64("0".repeat(60) + "1:" + UUID.randomUUID());
        assertBadRequest(() -> Page.request("5", padded), "cursor", "not a cursor this API returned");
        assertBadRequest(() -> Page.request("5", "A".repeat(100_000)), "cursor", "not a cursor this API returned");
    }

    @Test
    void theLimitIsCheckedBeforeTheCursor() {
        assertBadRequest(() -> Page.request("0", "forged!"), "limit", "must be an integer from 1 to 100");
    }

    private static void assertBadRequest(Runnable read, String field, String message) {
        assertThatThrownBy(read::run).isInstanceOfSatisfying(Problem.class, p -> {
            assertThat(p.status).isEqualTo(400);
            assertThat(p.errors).containsExactly(new Problem.FieldError(field, message));
        });
    }

    private static String base64(String raw) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
    }

    private static List<Row> rows(int n) {
        return IntStream.range(0, n).mapToObj(i -> new Row(T.plusMillis(i), UUID.randomUUID())).toList();
    }
}
