package io.sentinel.enrollment.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class AuditChainTest {
    static List<AuditChain.Entry> chain(int n) {
        List<AuditChain.Entry> out = new ArrayList<>();
        String prev = AuditChain.GENESIS;
        for (int i = 1; i <= n; i++) {
            Instant at = Instant.parse("2026-11-22T04:00:00.123456Z").plusSeconds(i);
            String h = AuditChain.hash(i, at, "alice", "uk-ho", "caseworker", "", "GetSubject", "s" + i, "allowed", prev);
            out.add(new AuditChain.Entry(i, at, "alice", "uk-ho", "caseworker", "", "GetSubject", "s" + i, "allowed", prev, h));
            prev = h;
        }
        return out;
    }

    @Test
    void acceptsAnUntouchedChain() {
        AuditChain.Verdict v = AuditChain.verify(chain(5), AuditChain.GENESIS, 1, 0);
        assertThat(v.intact()).isTrue();
        assertThat(v.checked()).isEqualTo(5);
    }

    @Test
    void reportsAnEditedRecordAsTheFirstBrokenLink() {
        List<AuditChain.Entry> c = chain(5);
        AuditChain.Entry e = c.get(2);
        c.set(2, new AuditChain.Entry(e.seq(), e.at(), e.actor(), e.agencyId(), e.roles(), e.purpose(), e.action(), e.subjectId(), "denied",
                e.prevHash(), e.hash()));
        AuditChain.Verdict v = AuditChain.verify(c, AuditChain.GENESIS, 1, 0);
        assertThat(v.brokenSeq()).isEqualTo(3);
        assertThat(v.reason()).isEqualTo("content does not match its hash");
        assertThat(v.checked()).isEqualTo(2);
    }

    @Test
    void reportsADeletedRecord() {
        List<AuditChain.Entry> c = chain(5);
        c.remove(1);
        AuditChain.Verdict v = AuditChain.verify(c, AuditChain.GENESIS, 1, 0);
        assertThat(v.brokenSeq()).isEqualTo(2);
        assertThat(v.reason()).isEqualTo("record 2 is missing (next record is 3)");
    }

    @Test
    void reportsARecordRehashedWithoutItsSuccessor() {
        List<AuditChain.Entry> c = chain(4);
        AuditChain.Entry e = c.get(1);
        String forged = AuditChain.hash(e.seq(), e.at(), e.actor(), e.agencyId(), e.roles(), e.purpose(), e.action(), e.subjectId(), "denied",
                e.prevHash());
        c.set(1, new AuditChain.Entry(e.seq(), e.at(), e.actor(), e.agencyId(), e.roles(), e.purpose(), e.action(), e.subjectId(), "denied",
                e.prevHash(), forged));
        AuditChain.Verdict v = AuditChain.verify(c, AuditChain.GENESIS, 1, 0);
        assertThat(v.brokenSeq()).isEqualTo(3);
        assertThat(v.reason()).isEqualTo("prev_hash does not match the hash of record 2");
    }

    @Test
    void fieldBoundariesCannotBeShiftedToForgeTheSameHash() {
        Instant at = Instant.parse("2026-11-22T04:00:00Z");
        assertThat(AuditChain.hash(1, at, "ab", "c", "r", "", "a", "s", "allowed", AuditChain.GENESIS))
                .isNotEqualTo(AuditChain.hash(1, at, "a", "bc", "r", "", "a", "s", "allowed", AuditChain.GENESIS));
    }
}
