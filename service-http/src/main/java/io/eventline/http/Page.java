package io.eventline.http;

import java.util.List;

/** One page of a list, with the cursor of the next page (null at the end). */
public record Page<T>(List<T> items, String nextCursor) {
}
