package io.sentinel.common.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The key of the audit chain, read from {@code sentinel.audit.key-file} ({@code AUDIT_KEY_FILE}):
 * at least 32 random bytes, raw or base64. It lives outside the database (a Secret in
 * production), so the database role that writes audit rows cannot recompute their MACs.
 */
@ApplicationScoped
public class AuditKey {
    @Produces
    @ApplicationScoped
    AuditSeal seal(@ConfigProperty(name = "sentinel.audit.key-file") String keyFile) {
        return new AuditSeal(read(Path.of(keyFile)));
    }

    static byte[] read(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit key (sentinel.audit.key-file / AUDIT_KEY_FILE) " + file, e);
        }
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        try {
            byte[] decoded = Base64.getDecoder().decode(text);
            if (decoded.length >= 32) {
                return decoded;
            }
        } catch (IllegalArgumentException e) {
            // not base64: the raw bytes are the key
        }
        if (raw.length < 32) {
            throw new IllegalStateException("the audit key " + file + " must hold at least 32 random bytes (raw or base64)");
        }
        return raw;
    }
}
