package io.sentinel.enrollment.service;

import java.util.Collection;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.sentinel.common.audit.AuditLog;
import io.sentinel.common.audit.AuditRecord;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.security.Caller;
import io.smallrye.mutiny.Uni;

/**
 * Records a change of personal data in the audit log inside the change's own transaction (the
 * Hibernate Reactive session of a {@code @WithTransaction} method), so a committed change always has
 * its record and a rolled-back one has none.
 */
@ApplicationScoped
public class ChangeLog {
    private final AuditLog audit;

    public ChangeLog(AuditLog audit) {
        this.audit = audit;
    }

    public Uni<Void> record(Caller caller, Justification why, String action, Collection<String> subjects, String detail) {
        return Panache.getSession().flatMap(s -> audit.write(s, AuditRecord.of(caller, why, action, subjects, AuditRecord.ALLOWED, detail)));
    }
}
