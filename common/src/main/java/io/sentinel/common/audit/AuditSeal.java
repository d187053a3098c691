package io.sentinel.common.audit;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keyed chain over one agency's audit records: each record's MAC (HMAC-SHA-256 with a key held
 * outside the database) covers its content, its sequence number and its predecessor's MAC. Whoever
 * can write the database but does not hold the key cannot rewrite a record, nor a suffix of the
 * chain, without verification noticing.
 */
public final class AuditSeal {
    /** The predecessor MAC of an agency's first record. */
    public static final String GENESIS = "0".repeat(64);

    private final SecretKeySpec key;

    public AuditSeal(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("the audit key must be at least 32 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** One sealed record as stored; {@code at} is kept to the microsecond, as PostgreSQL stores it. */
    public record Sealed(long seq, AuditRecord record, String prevMac, String mac) {
    }

    public String mac(long seq, AuditRecord r, String prevMac) {
        StringBuilder b = new StringBuilder(256);
        // Length-prefixed fields, so no choice of field values can make two records read alike.
        field(b, Long.toString(seq));
        field(b, Long.toString(ChronoUnit.MICROS.between(Instant.EPOCH, r.at())));
        for (String f : new String[] { r.agencyId(), r.actor(), r.roles(), r.purpose(), r.reference(), r.grantId(), r.action() }) {
            field(b, f);
        }
        field(b, Integer.toString(r.subjectIds().size()));
        r.subjectIds().forEach(s -> field(b, s));
        field(b, r.outcome());
        field(b, r.detail());
        field(b, prevMac);
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return HexFormat.of().formatHex(m.doFinal(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA-256 is required by every Java platform", e);
        }
    }

    private static void field(StringBuilder b, String f) {
        b.append(f.length()).append(':').append(f).append(';');
    }
}
