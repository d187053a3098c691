package io.sentinel.common.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ChainCheckTest {
    private final AuditSeal seal = new AuditSeal("k".repeat(32).getBytes());

    private static AuditRecord record(int i) {
        return new AuditRecord(Instant.parse("2026-12-07T10:00:00Z").plusSeconds(i), "agency-a", "cw-" + i, "caseworker",
                "case review", "CASE-" + i, "", "subject.read", List.of("s-" + i), AuditRecord.ALLOWED, "");
    }

    private List<AuditSeal.Sealed> chain(int n) {
        List<AuditSeal.Sealed> out = new ArrayList<>();
        String prev = AuditSeal.GENESIS;
        for (int i = 1; i <= n; i++) {
            String mac = seal.mac(i, record(i), prev);
            out.add(new AuditSeal.Sealed(i, record(i), prev, mac));
            prev = mac;
        }
        return out;
    }

    private ChainCheck.Verdict check(List<AuditSeal.Sealed> rows, ChainCheck.Checkpoint cp) {
        ChainCheck c = new ChainCheck(seal, cp);
        c.accept(rows);
        return c.verdict();
    }

    private static ChainCheck.Checkpoint checkpointAt(List<AuditSeal.Sealed> rows, int seq) {
        return new ChainCheck.Checkpoint(seq, rows.get(seq - 1).mac(), "2026-12-07T10:01:00Z");
    }

    @Test
    void anIntactChainVerifiesAgainstItsCheckpoint() {
        List<AuditSeal.Sealed> rows = chain(10);
        ChainCheck.Verdict v = check(rows, checkpointAt(rows, 10));
        assertThat(v.intact()).isTrue();
        assertThat(v.checked()).isEqualTo(10);
    }

    @Test
    void anEditedMiddleRecordIsNamed() {
        List<AuditSeal.Sealed> rows = chain(10);
        AuditSeal.Sealed five = rows.get(4);
        rows.set(4, new AuditSeal.Sealed(5, five.record().withOutcome(AuditRecord.REFUSED, ""), five.prevMac(), five.mac()));
        ChainCheck.Verdict v = check(rows, checkpointAt(rows, 10));
        assertThat(v.intact()).isFalse();
        assertThat(v.firstBrokenSeq()).isEqualTo(5);
        assertThat(v.reason()).contains("record 5 was edited");
    }

    @Test
    void aRecomputedSuffixWithoutTheKeyIsStillFound() {
        List<AuditSeal.Sealed> rows = chain(10);
        AuditSeal forger = new AuditSeal("f".repeat(32).getBytes());
        String prev = rows.get(5).mac();
        for (int i = 7; i <= 10; i++) {
            String mac = forger.mac(i, rows.get(i - 1).record(), prev);
            rows.set(i - 1, new AuditSeal.Sealed(i, rows.get(i - 1).record(), prev, mac));
            prev = mac;
        }
        assertThat(check(rows, null).firstBrokenSeq()).isEqualTo(7);
    }

    @Test
    void aDeletedMiddleRecordIsNamed() {
        List<AuditSeal.Sealed> rows = chain(10);
        rows.remove(3);
        ChainCheck.Verdict v = check(rows, checkpointAt(chain(10), 10));
        assertThat(v.firstBrokenSeq()).isEqualTo(4);
        assertThat(v.reason()).contains("record 4 was deleted");
    }

    @Test
    void deletedNewestRecordsAreFoundByTheCheckpoint() {
        List<AuditSeal.Sealed> all = chain(10);
        ChainCheck.Checkpoint cp = checkpointAt(all, 10);
        List<AuditSeal.Sealed> truncated = new ArrayList<>(all.subList(0, 7));
        ChainCheck.Verdict v = check(truncated, cp);
        assertThat(v.intact()).isFalse();
        assertThat(v.firstBrokenSeq()).isEqualTo(8);
        assertThat(v.reason()).contains("records 8 to 10 were deleted");
        // Without a checkpoint the shorter chain is self-consistent: that is why checkpoints exist.
        assertThat(check(truncated, null).intact()).isTrue();
    }

    @Test
    void aChainRewrittenUnderTheKeyDiffersFromTheCheckpoint() {
        List<AuditSeal.Sealed> all = chain(10);
        ChainCheck.Checkpoint cp = checkpointAt(all, 10);
        // Whoever holds the key re-seals a changed history: it verifies, but not against the signed checkpoint.
        List<AuditSeal.Sealed> rewritten = new ArrayList<>();
        String prev = AuditSeal.GENESIS;
        for (int i = 1; i <= 10; i++) {
            AuditRecord r = i == 3 ? record(3).withSubjects(List.of("someone-else")) : record(i);
            String mac = seal.mac(i, r, prev);
            rewritten.add(new AuditSeal.Sealed(i, r, prev, mac));
            prev = mac;
        }
        ChainCheck.Verdict v = check(rewritten, cp);
        assertThat(v.firstBrokenSeq()).isEqualTo(10);
        assertThat(v.reason()).contains("differs from the one the checkpoint");
    }

    @Test
    void fieldsCannotBeShiftedIntoEachOther() {
        AuditRecord a = new AuditRecord(Instant.EPOCH, "a", "bc", "", "", "", "", "x", List.of(), "allowed", "");
        AuditRecord b = new AuditRecord(Instant.EPOCH, "ab", "c", "", "", "", "", "x", List.of(), "allowed", "");
        assertThat(seal.mac(1, a, AuditSeal.GENESIS)).isNotEqualTo(seal.mac(1, b, AuditSeal.GENESIS));
    }

    @Test
    void justificationNamesWhatIsMissing() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Justification("", "CASE-1", "").require())
                .hasMessageContaining(Justification.PURPOSE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Justification("review", " ", "").require())
                .hasMessageContaining(Justification.REFERENCE);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Justification("review", "CASE-1", "").requireGrant())
                .hasMessageContaining(Justification.GRANT);
        assertThat(new Justification("r%C3%A9vision%20du%20dossier", "C-1", "").purpose()).isEqualTo("révision du dossier");
    }
}
