package io.sentinel.biometric.service;

import io.sentinel.common.error.SentinelException;

/** Checks an uploaded photo's declared type against its bytes and its size against the limit. */
final class ImageChecks {
    private ImageChecks() {
    }

    static void check(String field, byte[] image, String contentType, int maxBytes) {
        if (image.length == 0) {
            throw SentinelException.invalid(field, "is empty");
        }
        if (image.length > maxBytes) {
            throw SentinelException.tooLarge(field, "is " + image.length + " bytes (max " + maxBytes + ")");
        }
        String sniffed = sniff(image);
        if (!"image/jpeg".equals(contentType) && !"image/png".equals(contentType)) {
            throw SentinelException.invalid("content_type", "must be image/jpeg or image/png, got '" + contentType + "'");
        }
        if (sniffed == null) {
            throw SentinelException.invalid(field, "is not a JPEG or PNG image");
        }
        if (!sniffed.equals(contentType)) {
            throw SentinelException.invalid("content_type", "says " + contentType + " but the bytes are " + sniffed);
        }
    }

    static String sniff(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xFF) == 0xFF && (b[1] & 0xFF) == 0xD8 && (b[2] & 0xFF) == 0xFF) {
            return "image/jpeg";
        }
        if (b.length >= 8 && (b[0] & 0xFF) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        return null;
    }
}
