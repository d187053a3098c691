package io.sentinel.common.audit;

import java.util.List;

/**
 * Checks runs of one agency's sealed records, in sequence order, against the keyed chain and
 * against the newest signed checkpoint. It names the first record that fails and why: an edited
 * record (its MAC no longer matches), a deleted record (a gap in the sequence), or deleted newest
 * records (the checkpoint names a sequence number the database no longer reaches, or a MAC the
 * record under that number no longer has).
 */
public final class ChainCheck {
    private final AuditSeal seal;
    private long expectedSeq = 1;
    private String prevMac = AuditSeal.GENESIS;
    private long checked;
    private Verdict broken;
    private String macAtCheckpoint;
    private final Checkpoint checkpoint;

    /** The newest checkpoint written outside the database for this agency, or null when none was. */
    public record Checkpoint(long seq, String mac, String writtenAt) {
    }

    public record Verdict(boolean intact, long checked, long firstBrokenSeq, String reason) {
    }

    public ChainCheck(AuditSeal seal, Checkpoint checkpoint) {
        this.seal = seal;
        this.checkpoint = checkpoint;
    }

    /** Checks the next records; false once the chain is broken (later pages need not be read). */
    public boolean accept(List<AuditSeal.Sealed> page) {
        for (AuditSeal.Sealed s : page) {
            if (broken != null) {
                return false;
            }
            if (s.seq() != expectedSeq) {
                broken = new Verdict(false, checked, expectedSeq, s.seq() > expectedSeq
                        ? (s.seq() - expectedSeq == 1 ? "record " + expectedSeq + " was deleted"
                                : "records " + expectedSeq + " to " + (s.seq() - 1) + " were deleted")
                                + " (the next record is " + s.seq() + ")"
                        : "record " + s.seq() + " is out of sequence (expected " + expectedSeq + ")");
                return false;
            }
            if (!s.prevMac().equals(prevMac)) {
                broken = new Verdict(false, checked, s.seq(), "record " + s.seq() + " does not link to record " + (s.seq() - 1)
                        + " (its predecessor was replaced or it was moved)");
                return false;
            }
            if (!seal.mac(s.seq(), s.record(), s.prevMac()).equals(s.mac())) {
                broken = new Verdict(false, checked, s.seq(), "record " + s.seq() + " was edited: its content does not match its MAC");
                return false;
            }
            if (checkpoint != null && s.seq() == checkpoint.seq()) {
                macAtCheckpoint = s.mac();
            }
            checked++;
            prevMac = s.mac();
            expectedSeq++;
        }
        return true;
    }

    public Verdict verdict() {
        if (broken != null) {
            return broken;
        }
        long last = expectedSeq - 1;
        if (checkpoint != null) {
            if (last < checkpoint.seq()) {
                long from = last + 1;
                return new Verdict(false, checked, from, (from == checkpoint.seq() ? "record " + from + " was deleted"
                        : "records " + from + " to " + checkpoint.seq() + " were deleted")
                        + ": the checkpoint of " + checkpoint.writtenAt() + " names record " + checkpoint.seq()
                        + " but the log ends at " + last);
            }
            if (!checkpoint.mac().equals(macAtCheckpoint)) {
                return new Verdict(false, checked, checkpoint.seq(), "record " + checkpoint.seq()
                        + " differs from the one the checkpoint of " + checkpoint.writtenAt() + " signed (the chain was rewritten)");
            }
        }
        return new Verdict(true, checked, 0, "");
    }
}
