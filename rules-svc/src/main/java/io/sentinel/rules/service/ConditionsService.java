package io.sentinel.rules.service;

import java.time.Instant;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import com.google.protobuf.InvalidProtocolBufferException;

import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.vertx.VertxContextSupport;
import io.sentinel.api.rules.v1.PutSubjectConditionsRequest;
import io.sentinel.common.error.Check;
import io.sentinel.rules.repository.SubjectConditionsEntity;
import io.sentinel.rules.repository.SubjectConditionsRepository;
import io.smallrye.mutiny.Uni;

/** Keeps the conditions enrollment-svc sends, in the database and in the in-memory index. */
@ApplicationScoped
public class ConditionsService {
    private static final Logger LOG = Logger.getLogger(ConditionsService.class);

    private final SubjectConditionsRepository repository;
    private final ConditionsIndex index;

    public ConditionsService(SubjectConditionsRepository repository, ConditionsIndex index) {
        this.repository = repository;
        this.index = index;
    }

    /** Applies a newer version; an older or equal one changes nothing. Returns the version held. */
    @WithTransaction
    public Uni<Long> put(PutSubjectConditionsRequest request) {
        Check.required("owning_agency_id", request.getOwningAgencyId());
        Check.uuid("order_id", request.getOrderId());
        ConditionsIndex.SubjectRules compiled = ConditionsIndex.compile(request);
        UUID subjectId = compiled.subjectId();
        return repository.findById(subjectId).flatMap(existing -> {
            if (existing != null && existing.version >= request.getVersion()) {
                return Uni.createFrom().item(existing.version);
            }
            SubjectConditionsEntity e = existing != null ? existing : new SubjectConditionsEntity();
            e.subjectId = subjectId;
            e.owningAgencyId = request.getOwningAgencyId();
            e.orderId = UUID.fromString(request.getOrderId());
            e.version = request.getVersion();
            e.active = request.getActive();
            e.conditions = request.toByteArray();
            e.updatedAt = Instant.now();
            Uni<SubjectConditionsEntity> saved = existing != null ? Uni.createFrom().item(e) : repository.persist(e);
            return saved.map(s -> {
                index.put(compiled, request.getActive());
                return s.version;
            });
        });
    }

    void loadAtStart(@Observes StartupEvent ev) throws Throwable {
        int loaded = VertxContextSupport.subscribeAndAwait(this::loadAll);
        LOG.infof("loaded the conditions of %d monitored subjects", loaded);
    }

    @WithSession
    Uni<Integer> loadAll() {
        return repository.list("active", true).map(rows -> {
            for (SubjectConditionsEntity row : rows) {
                try {
                    index.put(ConditionsIndex.compile(PutSubjectConditionsRequest.parseFrom(row.conditions)), true);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("stored conditions of subject " + row.subjectId + " are unreadable", e);
                }
            }
            return rows.size();
        });
    }
}
