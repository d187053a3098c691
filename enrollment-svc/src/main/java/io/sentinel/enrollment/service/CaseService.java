package io.sentinel.enrollment.service;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.sentinel.api.internal.v1.PutCheckInScheduleRequest;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.enrollment.v1.Agency;
import io.sentinel.api.enrollment.v1.AgencyKind;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.Device;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.OrderState;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.internal.v1.PutDeviceAssignmentRequest;
import io.sentinel.api.internal.v1.PutSubjectConditionsRequest;
import io.sentinel.common.audit.Justification;
import io.sentinel.common.outbox.Outbox;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.DatabaseConflicts;
import io.sentinel.common.error.PageToken;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.common.util.Timestamps;
import io.sentinel.common.util.Uuids;
import io.sentinel.enrollment.client.LocationAssignmentClient;
import io.sentinel.enrollment.domain.SubjectChecks;
import io.sentinel.enrollment.repository.AgencyEntity;
import io.sentinel.enrollment.repository.DeviceEntity;
import io.sentinel.enrollment.repository.OrderEntity;
import io.sentinel.enrollment.repository.Repositories;
import io.sentinel.enrollment.repository.SubjectEntity;
import io.smallrye.mutiny.Uni;

/**
 * The case-management operations. Every change a peer must know about is written to the outbox
 * in the same transaction as the change itself, so it reaches the peer even if the peer is down;
 * every change of personal data writes its audit record in that transaction too ({@link ChangeLog}).
 */
@ApplicationScoped
public class CaseService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(CaseService.class);
    static final String AGENCY_ID_PATTERN = "[a-z0-9][a-z0-9-]{1,39}";

    private final Repositories.Agencies agencies;
    private final Repositories.Subjects subjects;
    private final Repositories.Orders orders;
    private final Repositories.Devices devices;
    private final Repositories.Ledger ledger;
    private final Outbox outbox;
    private final SharingService sharing;
    private final ChangeLog changes;
    private final LocationAssignmentClient location;

    public CaseService(Repositories.Agencies agencies, Repositories.Subjects subjects, Repositories.Orders orders,
            Repositories.Devices devices, Repositories.Ledger ledger, Outbox outbox, SharingService sharing, ChangeLog changes,
            LocationAssignmentClient location) {
        this.location = location;
        this.sharing = sharing;
        this.changes = changes;
        this.agencies = agencies;
        this.subjects = subjects;
        this.orders = orders;
        this.devices = devices;
        this.ledger = ledger;
        this.outbox = outbox;
    }

    /**
     * Runs a create once per idempotency key: a retry returns what the first call made, also when it
     * runs at the same time as the first call (the key is claimed first, and a concurrent claim of
     * the same key waits for the first transaction: if it commits, the retry reads its result; if it
     * rolls back, the retry creates).
     */
    private <T> Uni<T> once(Caller caller, String operation, String key, Function<String, Uni<T>> lookup, Uni<T> create,
            Function<T, String> idOf) {
        Check.length("idempotency_key", key, 1, 100);
        return ledger.claim(caller.agencyId(), operation, key).flatMap(existing -> existing != null ? lookup.apply(existing)
                : create.flatMap(made -> ledger.remember(caller.agencyId(), operation, key, idOf.apply(made)).replaceWith(made)));
    }

    /** The subject a change is about: see {@link OwnedSubjects#forChange}. */
    private Uni<SubjectEntity> ownedForChange(Caller caller, UUID id, String field) {
        return OwnedSubjects.forChange(subjects, ledger, caller, id, field);
    }

    // ---- agencies

    @WithTransaction
    public Uni<Agency> createAgency(Caller caller, String key, Agency a) {
        if (!a.getAgencyId().matches(AGENCY_ID_PATTERN)) {
            throw SentinelException.invalid("agency.agency_id", "must be 2 to 40 lower-case letters, digits or '-', starting with a letter or digit");
        }
        SubjectChecks.name("agency.name", a.getName());
        if (a.getKind() == AgencyKind.AGENCY_KIND_UNSPECIFIED || a.getKind() == AgencyKind.UNRECOGNIZED) {
            throw SentinelException.invalid("agency.kind", "must be IMMIGRATION_AUTHORITY, JUSTICE_MINISTRY, POLICE or OTHER");
        }
        if (!a.getDataRegion().matches("[a-z]{2}(-[a-z0-9]+){1,3}")) {
            throw SentinelException.invalid("agency.data_region", "must be a region name such as eu-west-2");
        }
        Uni<Agency> create = agencies.findById(a.getAgencyId()).flatMap(existing -> {
            if (existing != null) {
                throw SentinelException.alreadyExists("agency.agency_id", "agency " + a.getAgencyId() + " already exists");
            }
            AgencyEntity e = new AgencyEntity();
            e.agencyId = a.getAgencyId();
            e.name = a.getName().strip();
            e.kind = a.getKind().name();
            e.dataRegion = a.getDataRegion();
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            return agencies.persist(e).map(EnrollmentMapping::agency);
        });
        return once(caller, "CreateAgency", key, id -> agencies.findById(id).map(EnrollmentMapping::agency), create, Agency::getAgencyId);
    }

    @WithSession
    public Uni<Agency> getAgency(String agencyId) {
        Check.required("agency_id", agencyId);
        return agencies.findById(agencyId).map(e -> {
            if (e == null) {
                throw SentinelException.notFound("agency", agencyId);
            }
            return EnrollmentMapping.agency(e);
        });
    }

    @WithSession
    public Uni<Page<Agency>> listAgencies(int pageSize, String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        return agencies.page(PageToken.decode("page_token", pageToken), size)
                .map(l -> Page.of(l.stream().map(EnrollmentMapping::agency).toList(), size, Agency::getAgencyId));
    }

    // ---- subjects

    @WithTransaction
    public Uni<Subject> createSubject(Caller caller, Justification why, String key, Subject s) {
        SubjectEntity e = new SubjectEntity();
        e.subjectId = Uuids.v7();
        e.owningAgencyId = caller.agencyId();
        e.givenNames = SubjectChecks.name("subject.given_names", s.getGivenNames());
        e.familyName = SubjectChecks.name("subject.family_name", s.getFamilyName());
        e.dateOfBirth = SubjectChecks.dateOfBirth("subject.date_of_birth", s.getDateOfBirth(), LocalDate.now(ZoneOffset.UTC));
        e.nationality = SubjectChecks.nationality("subject.nationality", s.getNationality());
        e.preferredLanguage = SubjectChecks.language("subject.preferred_language", s.getPreferredLanguage());
        e.referencePhotoIds = String.join(",", SubjectChecks.photoIds("subject.reference_photo_ids", s.getReferencePhotoIdsList()));
        e.version = 1;
        e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return once(caller, "CreateSubject", key, id -> owned(caller, UUID.fromString(id)).map(EnrollmentMapping::subject),
                subjects.persist(e).map(EnrollmentMapping::subject), Subject::getSubjectId)
                .call(made -> changes.record(caller, why, AuditActions.SUBJECT_CREATE, List.of(made.getSubjectId()), ""));
    }

    /** The subject if the caller's agency owns it; otherwise NOT_FOUND, so ids cannot be probed. */
    private Uni<SubjectEntity> owned(Caller caller, UUID id) {
        return subjects.findById(id).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("subject", id.toString());
            }
            return e;
        });
    }

    @WithSession
    public Uni<Subject> getSubject(Caller caller, String citedGrant, String subjectId) {
        return sharing.visible(caller, citedGrant, Check.uuid("subject_id", subjectId), DataCategory.DATA_CATEGORY_IDENTITY)
                .map(EnrollmentMapping::subject);
    }

    @WithSession
    public Uni<Page<Subject>> listSubjects(Caller caller, int pageSize, String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        return subjects.page(caller.agencyId(), after == null ? null : Check.uuid("page_token", after), size)
                .map(l -> Page.of(l.stream().map(EnrollmentMapping::subject).toList(), size, Subject::getSubjectId));
    }

    // ---- orders

    /** The unique index that keeps a subject to one active order (migration V22_1). */
    static final String ONE_ACTIVE_ORDER = "monitoring_order_one_active";

    /**
     * Creates an order. Its conditions are checked first, on a worker thread (the geometry of up to
     * 50,000 vertices must not hold an event loop), then the order is written in one transaction. A
     * concurrent CreateOrder for the same subject that slipped past the active-order check loses on
     * the database's unique index and is answered FAILED_PRECONDITION like the check's own refusal.
     */
    public Uni<MonitoringOrder> createOrder(Caller caller, Justification why, String key, MonitoringOrder o) {
        UUID subjectId = Check.uuid("order.subject_id", o.getSubjectId());
        Check.length("order.legal_authority", o.getLegalAuthority(), 1, 200);
        Instant starts = Timestamps.required("order.starts_at", o.getStartsAt());
        Instant ends = Timestamps.required("order.ends_at", o.getEndsAt());
        if (!ends.isAfter(starts)) {
            throw SentinelException.invalid("order.ends_at", "must be after starts_at");
        }
        Instant review = Timestamps.optional("order.review_due_at", o.getReviewDueAt());
        if (review == null) {
            review = starts.atOffset(ZoneOffset.UTC).plusMonths(4).toInstant();
        } else if (!review.isAfter(starts)) {
            throw SentinelException.invalid("order.review_due_at", "must be after starts_at");
        }
        if (o.getDeviceType() == DeviceType.DEVICE_TYPE_UNSPECIFIED || o.getDeviceType() == DeviceType.UNRECOGNIZED) {
            throw SentinelException.invalid("order.device_type", "must be FITTED_ANKLE_TAG or NON_FITTED_SMARTWATCH");
        }
        String group = demographicGroup(o);
        Instant reviewDue = review;
        Check.length("idempotency_key", key, 1, 100);
        return OrderConditions.normaliseOffEventLoop("order.conditions", o.getConditions())
                .flatMap(conditions -> Panache.withTransaction(() -> createOrder(caller, why, key, o, subjectId, starts, ends, reviewDue, group,
                        conditions)))
                .onFailure(t -> DatabaseConflicts.uniqueViolation(t, ONE_ACTIVE_ORDER))
                .transform(t -> SentinelException.precondition("order.subject_id", "subject already has an active order (created concurrently)"));
    }

    private Uni<MonitoringOrder> createOrder(Caller caller, Justification why, String key, MonitoringOrder o, UUID subjectId, Instant starts,
            Instant ends, Instant reviewDue, String group, Conditions conditions) {
        Uni<MonitoringOrder> create = ownedForChange(caller, subjectId, "order.subject_id")
                .flatMap(subject -> orders.activeFor(subjectId).flatMap(active -> {
                    if (active != null) {
                        throw SentinelException.precondition("order.subject_id", "subject already has an active order " + active.orderId);
                    }
                    OrderEntity e = new OrderEntity();
                    e.orderId = Uuids.v7();
                    e.subjectId = subjectId;
                    e.owningAgencyId = caller.agencyId();
                    e.legalAuthority = o.getLegalAuthority();
                    e.startsAt = starts;
                    e.endsAt = ends;
                    e.reviewDueAt = reviewDue;
                    e.deviceType = o.getDeviceType().name();
                    e.state = OrderState.ORDER_STATE_ACTIVE.name();
                    e.conditions = conditions.toByteArray();
                    e.version = 1;
                    e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    e.demographicGroup = group;
                    e.demographicBasis = group == null ? null : o.getDemographicBasis().strip();
                    // Flushed now, so a concurrent order for the subject fails here, on the index, not at commit.
                    return orders.persistAndFlush(e).flatMap(saved -> announceConditions(saved, conditions))
                            .flatMap(saved -> devices.assignedTo(subjectId)
                                    .flatMap(d -> d == null ? Uni.createFrom().item(saved) : announceAssignment(d, saved).replaceWith(saved)))
                            .map(EnrollmentMapping::order);
                }));
        return once(caller, "CreateOrder", key, id -> orders.findById(UUID.fromString(id)).map(EnrollmentMapping::order), create,
                MonitoringOrder::getOrderId)
                .call(made -> changes.record(caller, why, AuditActions.ORDER_CREATE, List.of(made.getSubjectId()), "order " + made.getOrderId()));
    }

    /**
     * The order's demographic group, or null. A group may only be recorded with the lawful basis
     * for recording it; a basis without a group is refused too, as it would record nothing.
     */
    static String demographicGroup(MonitoringOrder o) {
        String group = o.getDemographicGroup().strip();
        String basis = o.getDemographicBasis().strip();
        if (group.isEmpty()) {
            if (!basis.isEmpty()) {
                throw SentinelException.invalid("order.demographic_basis", "must be empty when no demographic_group is recorded");
            }
            return null;
        }
        if (basis.isEmpty()) {
            throw SentinelException.invalid("order.demographic_basis",
                    "is required when order.demographic_group is set: state the lawful basis for recording it");
        }
        Check.length("order.demographic_group", group, 1, 64);
        Check.length("order.demographic_basis", basis, 1, 500);
        return group;
    }

    /** Outbox messages telling rules-svc and biometric-svc what the order now requires. */
    private Uni<OrderEntity> announceConditions(OrderEntity order, Conditions c) {
        boolean active = OrderState.ORDER_STATE_ACTIVE.name().equals(order.state);
        return ledger.nextVersion().flatMap(version -> {
            // PENDING until rules-svc acknowledges this version (ConditionsStatusTracker, on the outbox's delivery).
            order.conditionsVersion = version;
            order.conditionsStatus = ConditionsStatusTracker.PENDING;
            order.conditionsReason = null;
            PutSubjectConditionsRequest rules = PutSubjectConditionsRequest.newBuilder()
                    .setSubjectId(order.subjectId.toString()).setOwningAgencyId(order.owningAgencyId)
                    .setOrderId(order.orderId.toString()).setTimeZone(c.getTimeZone())
                    .addAllZones(c.getZonesList()).addAllCurfews(c.getCurfewsList())
                    .setVersion(version).setActive(active)
                    .setOrderStartsAt(Timestamps.of(order.startsAt)).setOrderEndsAt(Timestamps.of(order.endsAt)).build();
            PutCheckInScheduleRequest schedule = PutCheckInScheduleRequest.newBuilder()
                    .setSubjectId(order.subjectId.toString()).setOwningAgencyId(order.owningAgencyId)
                    .setTimeZone(c.getTimeZone()).setPerDay(c.getCheckIns().getPerDay())
                    .setWindowStart(c.getCheckIns().getWindowStart()).setWindowEnd(c.getCheckIns().getWindowEnd())
                    .setVersion(version).setActive(active)
                    .setDemographicGroup(order.demographicGroup == null ? "" : order.demographicGroup)
                    .setOrderStartsAt(Timestamps.of(order.startsAt)).setOrderEndsAt(Timestamps.of(order.endsAt)).build();
            String key = order.subjectId.toString();
            return ledger.enqueue(PeerMessages.RULES, PeerMessages.PUT_CONDITIONS, key, order.subjectId, rules.toByteArray())
                    .chain(() -> ledger.enqueue(PeerMessages.BIOMETRIC, PeerMessages.PUT_SCHEDULE, key, order.subjectId, schedule.toByteArray()))
                    .replaceWith(order);
        });
    }

    /** Queues the device's current assignment for location-svc and returns the message, which carries the order's window. */
    private Uni<PutDeviceAssignmentRequest> announceAssignment(DeviceEntity d, OrderEntity order) {
        PutDeviceAssignmentRequest r = assignmentMessage(d, order);
        // Ordered per device: a device's assignments and releases reach location-svc in the order made.
        return ledger.enqueue(PeerMessages.LOCATION, PeerMessages.PUT_ASSIGNMENT, d.deviceId.toString(), d.assignedSubjectId, r.toByteArray())
                .replaceWith(r);
    }

    private static PutDeviceAssignmentRequest assignmentMessage(DeviceEntity d, OrderEntity order) {
        Conditions c = EnrollmentMapping.conditions(order);
        return PutDeviceAssignmentRequest.newBuilder()
                .setDeviceId(d.deviceId.toString()).setSubjectId(d.assignedSubjectId.toString()).setOwningAgencyId(d.owningAgencyId)
                .setCadence(c.getCadence()).setVersion(d.assignmentVersion).setEffectiveAt(Timestamps.of(d.assignedAt))
                .setSerial(d.serial).addAllGatewayIds(EnrollmentMapping.gatewayIds(d))
                .setOrderStartsAt(Timestamps.of(order.startsAt)).setOrderEndsAt(Timestamps.of(order.endsAt)).build();
    }

    /**
     * The message telling location-svc a device exists but reports for nobody: sent at RegisterDevice
     * and on every release, so location-svc can tell a registered device (FAILED_PRECONDITION) from an
     * unknown one (NOT_FOUND).
     */
    private static PutDeviceAssignmentRequest releaseMessage(DeviceEntity d, String owningAgency, long version, Instant at) {
        return PutDeviceAssignmentRequest.newBuilder().setDeviceId(d.deviceId.toString())
                .setOwningAgencyId(owningAgency).setVersion(version).setEffectiveAt(Timestamps.of(at)).setSerial(d.serial)
                .addAllGatewayIds(EnrollmentMapping.gatewayIds(d)).build();
    }

    @WithSession
    public Uni<MonitoringOrder> getOrder(Caller caller, String citedGrant, String orderId) {
        UUID id = Check.uuid("order_id", orderId);
        return orders.findById(id).flatMap(e -> {
            if (e == null) {
                throw SentinelException.notFound("order", orderId);
            }
            return sharing.visible(caller, citedGrant, e.subjectId, DataCategory.DATA_CATEGORY_CONDITIONS)
                    .map(s -> EnrollmentMapping.orderFor(caller, e))
                    .onFailure(t -> t instanceof SentinelException se && se.kind() == SentinelException.Kind.NOT_FOUND)
                    .transform(t -> SentinelException.notFound("order", orderId));
        });
    }

    @WithSession
    public Uni<Page<MonitoringOrder>> listOrders(Caller caller, String citedGrant, String subjectId, int pageSize, String pageToken) {
        UUID subject = Check.uuid("subject_id", subjectId);
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        UUID afterId = after == null ? null : Check.uuid("page_token", after);
        return sharing.visible(caller, citedGrant, subject, DataCategory.DATA_CATEGORY_CONDITIONS).flatMap(s -> orders.page(subject, afterId, size))
                .map(l -> Page.of(l.stream().map(e -> EnrollmentMapping.orderFor(caller, e)).toList(), size, MonitoringOrder::getOrderId));
    }

    // ---- devices

    @WithTransaction
    public Uni<Device> registerDevice(Caller caller, Justification why, String key, Device d) {
        Check.serial("device.serial", d.getSerial());
        if (d.getType() == DeviceType.DEVICE_TYPE_UNSPECIFIED || d.getType() == DeviceType.UNRECOGNIZED) {
            throw SentinelException.invalid("device.type", "must be FITTED_ANKLE_TAG or NON_FITTED_SMARTWATCH");
        }
        List<String> gateways = gatewayIds("device.gateway_ids", d.getGatewayIdsList());
        Uni<Device> create = devices.bySerial(caller.agencyId(), d.getSerial()).flatMap(existing -> {
            if (existing != null) {
                throw SentinelException.alreadyExists("device.serial", "a device with serial " + d.getSerial() + " is already registered");
            }
            DeviceEntity e = new DeviceEntity();
            e.deviceId = Uuids.v7();
            e.serial = d.getSerial();
            e.type = d.getType().name();
            e.owningAgencyId = caller.agencyId();
            e.gatewayIds = EnrollmentMapping.storedGatewayIds(gateways);
            e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            // location-svc learns the device exists (assigned to nobody yet): its fixes are then
            // "not assigned" (FAILED_PRECONDITION) there rather than "unknown" (NOT_FOUND).
            return ledger.nextVersion().flatMap(v -> {
                e.assignmentVersion = v;
                return devices.persist(e);
            }).call(saved -> ledger.enqueue(PeerMessages.LOCATION, PeerMessages.PUT_ASSIGNMENT, saved.deviceId.toString(), null,
                    releaseMessage(saved, saved.owningAgencyId, saved.assignmentVersion, saved.createdAt).toByteArray()))
                    .map(EnrollmentMapping::device);
        });
        return once(caller, "RegisterDevice", key, id -> devices.findById(UUID.fromString(id)).map(EnrollmentMapping::device), create,
                Device::getDeviceId)
                .call(made -> changes.record(caller, why, AuditActions.DEVICE_REGISTER, subjectsOf(made), "device " + made.getDeviceId()));
    }

    /**
     * The gateways a device is bound to, as a caseworker gives them: 1 to 16 (a device nobody may
     * report would be registered in vain); the rule for each id is {@link Check#gatewayIds}.
     */
    static List<String> gatewayIds(String field, List<String> ids) {
        return Check.gatewayIds(field, ids, 1);
    }

    private Uni<DeviceEntity> ownedDevice(Caller caller, UUID id) {
        return devices.findById(id).map(e -> requireOwned(caller, id, e));
    }

    /** Like {@link #ownedDevice}, locked for update: assignment and binding changes of one device go one at a time. */
    private Uni<DeviceEntity> ownedDeviceForUpdate(Caller caller, UUID id) {
        return devices.findById(id, LockModeType.PESSIMISTIC_WRITE).map(e -> requireOwned(caller, id, e));
    }

    /** The device if the caller's agency owns it; otherwise NOT_FOUND, so ids cannot be probed. */
    private static DeviceEntity requireOwned(Caller caller, UUID id, DeviceEntity e) {
        if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
            throw SentinelException.notFound("device", id.toString());
        }
        return e;
    }

    /**
     * Replaces the gateways allowed to report a device. An assigned device's assignment goes to
     * location-svc again under a new version, carrying the new binding, so a gateway taken off it is
     * refused from then on.
     */
    @WithTransaction
    public Uni<Device> setDeviceGateways(Caller caller, Justification why, String deviceId, List<String> requested) {
        UUID did = Check.uuid("device_id", deviceId);
        List<String> gateways = gatewayIds("gateway_ids", requested);
        return ownedDeviceForUpdate(caller, did).flatMap(d -> {
            d.gatewayIds = EnrollmentMapping.storedGatewayIds(gateways);
            if (d.assignedSubjectId == null) {
                // location-svc refuses every fix of an unassigned device; the next assignment carries the binding.
                return Uni.createFrom().item(EnrollmentMapping.device(d));
            }
            return orders.activeFor(d.assignedSubjectId).flatMap(order -> {
                if (order == null) {
                    throw SentinelException.precondition("device_id", "the device's subject has no active monitoring order");
                }
                return ledger.nextVersion().flatMap(v -> {
                    d.assignmentVersion = v;
                    return announceAssignment(d, order);
                });
            }).map(x -> EnrollmentMapping.device(d));
        }).call(d -> changes.record(caller, why, AuditActions.DEVICE_SET_GATEWAYS, subjectsOf(d),
                "device " + d.getDeviceId() + ": " + d.getGatewayIdsCount() + " gateways"));
    }

    /** The subject a device is assigned to, as audit subjects: none when it is free. */
    public static List<String> subjectsOf(Device d) {
        return d.getAssignedSubjectId().isEmpty() ? List.of() : List.of(d.getAssignedSubjectId());
    }

    @WithSession
    public Uni<Device> getDevice(Caller caller, String deviceId) {
        return ownedDevice(caller, Check.uuid("device_id", deviceId)).map(EnrollmentMapping::device);
    }

    @WithSession
    public Uni<Page<Device>> listDevices(Caller caller, int pageSize, String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        return devices.page(caller.agencyId(), after == null ? null : Check.uuid("page_token", after), size)
                .map(l -> Page.of(l.stream().map(EnrollmentMapping::device).toList(), size, Device::getDeviceId));
    }

    /** What AssignDevice made: the device, and whether location-svc has yet to confirm it holds the assignment. */
    public record Assignment(Device device, boolean locationPending) {
    }

    /** The committed device and the assignment message location-svc is owed (null: none to send). */
    private record Made(Device device, PutDeviceAssignmentRequest message) {
    }

    /**
     * Assigns a device and answers once location-svc holds the assignment: after the transaction
     * commits (outbox row included) the same message goes to location-svc directly, waiting at most
     * {@link LocationAssignmentClient#WAIT}. If that fails the assignment stands and the outbox delivers
     * it; the answer says it is pending. A repeated call for the same pair re-sends the assignment held.
     */
    public Uni<Assignment> assignDevice(Caller caller, Justification why, String deviceId, String subjectId) {
        UUID did = Check.uuid("device_id", deviceId);
        UUID sid = Check.uuid("subject_id", subjectId);
        return Panache.withTransaction(() -> assign(caller, why, did, sid)).flatMap(made -> {
            if (made.message() == null) {
                return Uni.createFrom().item(new Assignment(made.device(), false));
            }
            return location.deliverNow(made.message()).map(v -> new Assignment(made.device(), false))
                    .onFailure().recoverWithItem(t -> {
                        LOG.infof("location-svc did not take device %s's assignment at once (%s); the outbox delivers it", did,
                                io.grpc.Status.fromThrowable(t).getCode());
                        outbox.wake();
                        return new Assignment(made.device(), true);
                    });
        });
    }

    private Uni<Made> assign(Caller caller, Justification why, UUID did, UUID sid) {
        return ownedDeviceForUpdate(caller, did).flatMap(device -> ownedForChange(caller, sid, "subject_id").flatMap(subject -> {
            if (sid.equals(device.assignedSubjectId)) {
                // A retry: location-svc is handed the assignment again (a version it may hold already: a no-op there).
                return orders.activeFor(sid).map(order -> new Made(EnrollmentMapping.device(device),
                        order == null ? null : assignmentMessage(device, order)));
            }
            if (device.assignedSubjectId != null) {
                throw SentinelException.precondition("device_id", "device is already assigned to another subject");
            }
            return devices.assignedTo(sid).flatMap(other -> {
                if (other != null) {
                    throw SentinelException.precondition("subject_id", "subject already has device " + other.deviceId + " assigned");
                }
                // Locked: the expiry job cannot end the order while its device is being assigned.
                return orders.activeForUpdate(sid);
            }).flatMap(order -> {
                if (order == null) {
                    throw SentinelException.precondition("subject_id", "subject has no active monitoring order");
                }
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                if (EnrollmentMapping.window(order).over(now)) {
                    throw SentinelException.precondition("subject_id", "the subject's order ended at " + order.endsAt + " (its window has closed)");
                }
                if (!order.deviceType.equals(device.type)) {
                    throw SentinelException.precondition("device_id", "the order requires a " + order.deviceType + ", this device is a " + device.type);
                }
                return ledger.nextVersion().flatMap(version -> {
                    device.assignedSubjectId = sid;
                    device.assignedAt = now;
                    device.assignmentVersion = version;
                    return Panache.getSession().flatMap(s -> s.createNativeQuery(
                            "insert into device_assignment_history (device_id, subject_id, assigned_at) values (?1, ?2, ?3)")
                            .setParameter(1, did).setParameter(2, sid).setParameter(3, device.assignedAt).executeUpdate())
                            .chain(() -> announceAssignment(device, order))
                            .map(message -> new Made(EnrollmentMapping.device(device), message));
                });
            });
        })).call(m -> changes.record(caller, why, AuditActions.DEVICE_ASSIGN, List.of(sid.toString()), "device " + did));
    }

    // ---- amendments, ending, release

    /** The order, locked for update, if the caller's agency owns it and the caller amends its current version. */
    private Uni<OrderEntity> ownedAtVersion(Caller caller, UUID id, long version) {
        return orders.findById(id, LockModeType.PESSIMISTIC_WRITE).map(e -> {
            if (e == null || !e.owningAgencyId.equals(caller.agencyId())) {
                throw SentinelException.notFound("order", id.toString());
            }
            if (e.version != version) {
                throw SentinelException.stale("order " + id + " is at version " + e.version + ", the request was written against version " + version);
            }
            if (!OrderState.ORDER_STATE_ACTIVE.name().equals(e.state)) {
                throw SentinelException.precondition("order_id", "order has ended");
            }
            return e;
        });
    }

    /** Replaces an order's conditions: checked on a worker thread first, then written in one transaction. */
    public Uni<MonitoringOrder> amendConditions(Caller caller, Justification why, String orderId, long version, Conditions c) {
        UUID id = Check.uuid("order_id", orderId);
        if (version <= 0) {
            throw SentinelException.invalid("version", "is required: the order version this amendment was written against");
        }
        return OrderConditions.normaliseOffEventLoop("conditions", c)
                .flatMap(conditions -> Panache.withTransaction(() -> amendConditions(caller, why, id, version, conditions)));
    }

    private Uni<MonitoringOrder> amendConditions(Caller caller, Justification why, UUID id, long version, Conditions conditions) {
        return ownedAtVersion(caller, id, version).flatMap(e -> {
            e.conditions = conditions.toByteArray();
            e.version++;
            return announceConditions(e, conditions)
                    .flatMap(saved -> devices.assignedTo(saved.subjectId).flatMap(d -> {
                        if (d == null) {
                            return Uni.createFrom().item(saved);
                        }
                        // The cadence may have changed: location-svc gets the assignment again under a new version.
                        return ledger.nextVersion().flatMap(v -> {
                            d.assignmentVersion = v;
                            return announceAssignment(d, saved).replaceWith(saved);
                        });
                    }))
                    .map(EnrollmentMapping::order);
        }).call(o -> recordOrderChange(caller, why, AuditActions.ORDER_AMEND, o));
    }

    private Uni<Void> recordOrderChange(Caller caller, Justification why, String action, MonitoringOrder o) {
        return changes.record(caller, why, action, List.of(o.getSubjectId()), "order " + o.getOrderId() + " version " + o.getVersion());
    }

    /**
     * Ends an order, or shortens its window when the end is in the future (the order then stays
     * active until the expiry job ends it, through {@link #end}, at that time).
     */
    @WithTransaction
    public Uni<MonitoringOrder> endOrder(Caller caller, Justification why, String orderId, long version, com.google.protobuf.Timestamp endedAt) {
        UUID id = Check.uuid("order_id", orderId);
        if (version <= 0) {
            throw SentinelException.invalid("version", "is required: the order version this request was written against");
        }
        Instant requested = Timestamps.optional("ended_at", endedAt);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        return ownedAtVersion(caller, id, version).flatMap(e -> {
            Instant end = requested == null ? now : requested;
            if (!end.isAfter(e.startsAt)) {
                throw SentinelException.invalid("ended_at", "must be after the order's starts_at");
            }
            if (end.isAfter(e.endsAt)) {
                throw SentinelException.invalid("ended_at", "must not be after the order's ends_at " + e.endsAt);
            }
            return (end.isAfter(now) ? shortenWindow(e, end) : end(e, end, now)).map(EnrollmentMapping::order);
        }).call(o -> recordOrderChange(caller, why, AuditActions.ORDER_END, o));
    }

    /**
     * Ends a locked, active order at {@code end} (not after now): state ENDED, {@code ended_at} and
     * {@code ends_at} set to it, the peers told (rules-svc and biometric-svc stop), its device released.
     * The one path EndOrder and the expiry job ({@link OrderExpiry}) share.
     */
    Uni<OrderEntity> end(OrderEntity e, Instant end, Instant now) {
        e.endsAt = end;
        e.endedAt = end;
        e.state = OrderState.ORDER_STATE_ENDED.name();
        e.version++;
        return announceConditions(e, EnrollmentMapping.conditions(e))
                .flatMap(saved -> devices.assignedTo(saved.subjectId)
                        .flatMap(d -> d == null ? Uni.createFrom().voidItem() : release(d, saved.owningAgencyId, now))
                        .replaceWith(saved));
    }

    /** A new, earlier end of the window for a locked, active order; every peer is sent the new window. */
    private Uni<OrderEntity> shortenWindow(OrderEntity e, Instant end) {
        e.endsAt = end;
        if (e.reviewDueAt.isAfter(end)) {
            e.reviewDueAt = end;
        }
        e.version++;
        return announceConditions(e, EnrollmentMapping.conditions(e)).flatMap(saved -> devices.assignedTo(saved.subjectId).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().item(saved);
            }
            return ledger.nextVersion().flatMap(v -> {
                d.assignmentVersion = v;
                return announceAssignment(d, saved).replaceWith(saved);
            });
        }));
    }

    /**
     * Ends an active order whose window has closed, as the scheduler: called by {@link OrderExpiry}
     * inside its transaction, with the order's row already locked. An order no longer active or not
     * yet due (ended or amended meanwhile) is left alone; returns whether it was ended.
     */
    Uni<Boolean> expire(UUID orderId, Instant now) {
        return orders.findById(orderId).flatMap(e -> {
            if (e == null || !OrderState.ORDER_STATE_ACTIVE.name().equals(e.state) || e.endsAt.isAfter(now)) {
                return Uni.createFrom().item(false);
            }
            Caller scheduler = RetentionService.scheduler(e.owningAgencyId);
            return end(e, e.endsAt, now).map(EnrollmentMapping::order)
                    .call(o -> recordOrderChange(scheduler, new Justification("order window ended", "order " + o.getOrderId(), ""),
                            AuditActions.ORDER_EXPIRE, o))
                    .replaceWith(true);
        });
    }

    @WithTransaction
    public Uni<MonitoringOrder> recordReview(Caller caller, Justification why, String orderId, long version, com.google.protobuf.Timestamp next) {
        UUID id = Check.uuid("order_id", orderId);
        if (version <= 0) {
            throw SentinelException.invalid("version", "is required: the order version this review was written against");
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant requested = Timestamps.optional("next_review_due_at", next);
        if (requested != null && !requested.isAfter(now)) {
            throw SentinelException.invalid("next_review_due_at", "must be in the future");
        }
        return ownedAtVersion(caller, id, version).map(e -> {
            Instant due = requested == null ? now.atOffset(ZoneOffset.UTC).plusMonths(4).toInstant() : requested;
            if (due.isAfter(e.endsAt)) {
                // Reviewing after monitoring ends is pointless: the last review is due at the end.
                due = e.endsAt;
            }
            e.reviewDueAt = due;
            e.version++;
            return EnrollmentMapping.order(e);
        }).call(o -> recordOrderChange(caller, why, AuditActions.ORDER_REVIEW, o));
    }

    /** Ends a device's assignment: history closed, location-svc told the device reports for nobody. */
    private Uni<Void> release(DeviceEntity d, String owningAgency, Instant at) {
        UUID subject = d.assignedSubjectId;
        Instant assignedAt = d.assignedAt;
        return ledger.nextVersion().flatMap(version -> {
            d.assignedSubjectId = null;
            d.assignedAt = null;
            d.assignmentVersion = version;
            PutDeviceAssignmentRequest r = releaseMessage(d, owningAgency, version, at);
            return Panache.getSession().flatMap(s -> s.createNativeQuery(
                    "update device_assignment_history set released_at = ?1 where device_id = ?2 and subject_id = ?3 and assigned_at = ?4")
                    .setParameter(1, at).setParameter(2, d.deviceId).setParameter(3, subject).setParameter(4, assignedAt).executeUpdate())
                    .chain(() -> ledger.enqueue(PeerMessages.LOCATION, PeerMessages.PUT_ASSIGNMENT, d.deviceId.toString(), subject,
                            r.toByteArray())).replaceWithVoid();
        });
    }

    @WithTransaction
    public Uni<Device> unassignDevice(Caller caller, Justification why, String deviceId) {
        UUID did = Check.uuid("device_id", deviceId);
        return ownedDeviceForUpdate(caller, did).flatMap(d -> {
            if (d.assignedSubjectId == null) {
                throw SentinelException.precondition("device_id", "device is not assigned");
            }
            String released = d.assignedSubjectId.toString();
            return release(d, d.owningAgencyId, Instant.now().truncatedTo(ChronoUnit.MICROS))
                    .call(x -> changes.record(caller, why, AuditActions.DEVICE_UNASSIGN, List.of(released), "device " + did))
                    .map(x -> EnrollmentMapping.device(d));
        });
    }

    @WithSession
    public Uni<Page<MonitoringOrder>> listOverdueReviews(Caller caller, int pageSize, String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        if (after != null && !after.matches("[^|]+\\|[0-9a-f-]{36}")) {
            throw SentinelException.invalid("page_token", "is not a token this service issued");
        }
        return orders.overdue(caller.agencyId(), Instant.now(), after, size)
                .map(l -> Page.of(l.stream().map(EnrollmentMapping::order).toList(), size,
                        o -> Instant.ofEpochSecond(o.getReviewDueAt().getSeconds(), o.getReviewDueAt().getNanos()) + "|" + o.getOrderId()));
    }

    @WithSession
    public Uni<Page<Subject>> searchSubjects(Caller caller, String familyPrefix, String dateOfBirth, String nationality, int pageSize,
            String pageToken) {
        int size = Check.pageSize("page_size", pageSize, 50, 500);
        String after = PageToken.decode("page_token", pageToken);
        StringBuilder q = new StringBuilder("owningAgencyId = :agency");
        io.quarkus.panache.common.Parameters p = io.quarkus.panache.common.Parameters.with("agency", caller.agencyId());
        if (familyPrefix != null && !familyPrefix.isBlank()) {
            String prefix = SubjectChecks.name("family_name_prefix", familyPrefix).toLowerCase(java.util.Locale.ROOT)
                    .replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
            q.append(" and lower(familyName) like :prefix escape '\\'");
            p.and("prefix", prefix + "%");
        }
        if (dateOfBirth != null && !dateOfBirth.isBlank()) {
            try {
                p.and("dob", LocalDate.parse(dateOfBirth));
            } catch (java.time.format.DateTimeParseException e) {
                throw SentinelException.invalid("date_of_birth", "must be an ISO-8601 date YYYY-MM-DD, got '" + dateOfBirth + "'");
            }
            q.append(" and dateOfBirth = :dob");
        }
        if (nationality != null && !nationality.isBlank()) {
            p.and("nat", SubjectChecks.nationality("nationality", nationality));
            q.append(" and nationality = :nat");
        }
        if (after != null) {
            p.and("after", Check.uuid("page_token", after));
            q.append(" and subjectId > :after");
        }
        q.append(" order by subjectId");
        return subjects.find(q.toString(), p).page(0, size).list()
                .map(l -> Page.of(l.stream().map(EnrollmentMapping::subject).toList(), size, Subject::getSubjectId));
    }

    /** A page of results and the token for the next one. */
    public record Page<T>(List<T> items, String nextPageToken) {
        public static <T> Page<T> of(List<T> items, int size, Function<T, String> key) {
            return new Page<>(items, items.size() == size ? PageToken.encode(key.apply(items.get(items.size() - 1))) : "");
        }
    }
}
