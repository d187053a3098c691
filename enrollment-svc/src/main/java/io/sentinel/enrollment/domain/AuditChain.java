package io.sentinel.enrollment.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;

/** The hash chain of the audit trail: each record's hash covers its content and its predecessor's hash. */
public final class AuditChain {
    /** The predecessor hash of the first record. */
    public static final String GENESIS = "0".repeat(64);

    private AuditChain() {
    }

    /** One audit record as stored; {@code at} is kept to the microsecond, as PostgreSQL stores it. */
    public record Entry(long seq, Instant at, String actor, String agencyId, String roles, String purpose, String action,
            String subjectId, String outcome, String prevHash, String hash) {
    }

    /** Where a chain first fails to verify, or {@code brokenSeq == 0} when it is intact. */
    public record Verdict(long checked, long brokenSeq, String reason) {
        public boolean intact() {
            return brokenSeq == 0;
        }
    }

    public static String hash(long seq, Instant at, String actor, String agencyId, String roles, String purpose, String action,
            String subjectId, String outcome, String prevHash) {
        // Length-prefixed fields, so no choice of field values can make two records hash alike.
        StringBuilder b = new StringBuilder();
        for (String f : new String[] { Long.toString(seq), Long.toString(micros(at)), actor, agencyId, roles, purpose, action,
                subjectId, outcome, prevHash }) {
            b.append(f.length()).append(':').append(f).append(';');
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    public static long micros(Instant at) {
        return ChronoUnit.MICROS.between(Instant.EPOCH, at);
    }

    /**
     * Checks a run of consecutive records. {@code prevHash} is the hash of the record before the
     * first one ({@link #GENESIS} at the start) and {@code expectedSeq} its sequence number + 1.
     */
    public static Verdict verify(List<Entry> entries, String prevHash, long expectedSeq, long checkedBefore) {
        long checked = checkedBefore;
        String prev = prevHash;
        long seq = expectedSeq;
        for (Entry e : entries) {
            if (e.seq() != seq) {
                return new Verdict(checked, seq, "record " + seq + " is missing (next record is " + e.seq() + ")");
            }
            if (!e.prevHash().equals(prev)) {
                return new Verdict(checked, e.seq(), "prev_hash does not match the hash of record " + (seq - 1));
            }
            String expected = hash(e.seq(), e.at(), e.actor(), e.agencyId(), e.roles(), e.purpose(), e.action(), e.subjectId(),
                    e.outcome(), e.prevHash());
            if (!expected.equals(e.hash())) {
                return new Verdict(checked, e.seq(), "content does not match its hash");
            }
            checked++;
            prev = e.hash();
            seq++;
        }
        return new Verdict(checked, 0, "");
    }
}
