package io.sentinel.common.error;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque keyset page tokens. A token carries the sort key of the last item returned, so pages
 * stay stable while rows are inserted, unlike offsets.
 */
public final class PageToken {
    private PageToken() {
    }

    public static String encode(String lastKey) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(lastKey.getBytes(StandardCharsets.UTF_8));
    }

    /** The last key of the previous page, or null for the first page. */
    public static String decode(String field, String token) {
        if (token == null || token.isEmpty()) {
            return null;
        }
        try {
            return new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw SentinelException.invalid(field, "is not a token this service issued");
        }
    }
}
