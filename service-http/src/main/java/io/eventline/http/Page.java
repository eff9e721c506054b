package io.eventline.http;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, with the cursor of the next page (null at the end); and the keyset rule
 * every list here follows: {@link #request} reads {@code ?limit} and the cursor (a 400 problem for
 * a bad one), the query fetches {@link Request#fetch()} rows in the list's order after
 * {@link Request#after()}, and {@link Request#page} keeps {@code limit} of them and makes the next
 * cursor from the last one kept when the extra row came back.
 */
public record Page<T>(List<T> items, String nextCursor) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /**
     * {@code ?limit} and {@code ?cursor} of a list ordered by a {@link Cursor} (a sort value, then
     * the id): the limit is checked first, then the cursor.
     */
    public static Request<Cursor> request(String limit, String cursor) {
        int n = limit(limit);
        return new Request<>(n, cursor == null ? null : Cursor.decode(cursor), Cursor::encode);
    }

    /**
     * {@code ?limit} of a list with its own kind of position (messages: a seq), which its resource
     * has already read and validated ({@code after}, null for the first page); {@code encode} is
     * how that position is sent back as {@code nextCursor}.
     */
    public static <C> Request<C> request(C after, String limit, Function<C, String> encode) {
        return new Request<>(limit(limit), after, encode);
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw Problem.badRequest("limit", "must be an integer from 1 to " + MAX_LIMIT);
    }

    /**
     * What a client asked for (made by {@link Page#request}): at most {@code limit} items after
     * the position {@code after} (null for the first page).
     */
    public record Request<C>(int limit, C after, Function<C, String> encode) {

        /** The rows to fetch: one more than the limit, whose presence says there is a next page. */
        public int fetch() {
            return limit + 1;
        }

        /**
         * The page of {@code rows} (at most {@link #fetch()}, in the list's order): the first
         * {@code limit} as views, and the position of the last of them as the next cursor when
         * the extra row came back.
         */
        public <R, V> Page<V> page(List<R> rows, Function<R, C> position, Function<R, V> view) {
            return pageOfAll(rows, position, kept -> kept.stream().map(view).toList());
        }

        /** Like {@link #page}, for views made of the whole page at once (a few queries, not one per row). */
        public <R, V> Page<V> pageOfAll(List<R> rows, Function<R, C> position, Function<List<R>, List<V>> views) {
            if (rows.size() > fetch()) {
                throw new IllegalStateException(rows.size() + " rows fetched for a limit of " + limit);
            }
            List<R> kept = rows.size() > limit ? rows.subList(0, limit) : rows;
            String next = rows.size() > limit ? encode.apply(position.apply(kept.get(limit - 1))) : null;
            return new Page<>(views.apply(kept), next);
        }
    }
}
