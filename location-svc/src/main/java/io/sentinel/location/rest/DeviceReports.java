package io.sentinel.location.rest;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.location.domain.FixReport;
import io.sentinel.location.domain.Violation;
import io.sentinel.location.domain.protocol.Decoded;
import io.sentinel.location.service.IngestionService;
import io.smallrye.mutiny.Uni;

/** Feeds decoded HTTP device reports into ingestion, so every protocol meets the same acceptance rules. */
@ApplicationScoped
public class DeviceReports {
    private final IngestionService ingestion;

    public DeviceReports(IngestionService ingestion) {
        this.ingestion = ingestion;
    }

    /**
     * Stores the decoded fixes or fails with the first rejection: a bad field as INVALID_ARGUMENT
     * naming it; an unknown or unassigned device as {@code unknownDevice} (the status the protocol
     * expects for it) naming {@code deviceField}, the protocol's name for the device; a device the
     * caller is not bound to as PERMISSION_DENIED (403) naming {@code deviceField}; a fix outside its
     * order's window as OUT_OF_RANGE (422) naming device_time. Returns how many
     * were stored (new or already held); a recognised message without a fix stores none.
     */
    public Uni<Integer> store(Caller caller, Decoded decoded, String deviceField, SentinelException.Kind unknownDevice) {
        if (decoded.kind() == Decoded.Kind.REJECTED) {
            Violation first = decoded.errors().get(0);
            throw SentinelException.invalid(first.field(), decoded.describe());
        }
        if (decoded.kind() == Decoded.Kind.IGNORED) {
            return Uni.createFrom().item(0);
        }
        List<FixReport> fixes = decoded.fixes();
        return ingestion.ingest(caller, fixes).map(result -> {
            if (!result.rejections().isEmpty()) {
                IngestionService.Rejection r = result.rejections().get(0);
                if (r.index() < 0) {
                    throw SentinelException.tooLarge(r.field(), r.reason());
                }
                switch (r.code()) {
                    case PERMISSION_DENIED -> throw new SentinelException(SentinelException.Kind.PERMISSION_DENIED, deviceField, r.reason());
                    case NOT_FOUND, FAILED_PRECONDITION -> throw new SentinelException(unknownDevice, deviceField, r.reason());
                    // 422 with a problem body: the fix is well-formed but outside its order's window.
                    case OUT_OF_RANGE -> throw SentinelException.outOfRange(r.field(), r.reason());
                    default -> {
                        String where = fixes.size() > 1 ? "fix " + r.index() + ": " : "";
                        throw SentinelException.invalid(r.field(), where + r.reason());
                    }
                }
            }
            return result.accepted();
        });
    }
}
