package io.sentinel.enrollment.service;

import com.google.protobuf.InvalidProtocolBufferException;

import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.enrollment.v1.Agency;
import io.sentinel.api.enrollment.v1.AgencyKind;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.ConditionsState;
import io.sentinel.api.enrollment.v1.ConditionsStatus;
import io.sentinel.api.enrollment.v1.Device;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.OrderState;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.common.util.Timestamps;
import io.sentinel.enrollment.repository.AgencyEntity;
import io.sentinel.enrollment.repository.DeviceEntity;
import io.sentinel.enrollment.repository.OrderEntity;
import io.sentinel.enrollment.repository.SubjectEntity;

/** Stored records to wire messages. */
public final class EnrollmentMapping {
    private EnrollmentMapping() {
    }

    public static Agency agency(AgencyEntity e) {
        return Agency.newBuilder().setAgencyId(e.agencyId).setName(e.name).setKind(AgencyKind.valueOf(e.kind))
                .setDataRegion(e.dataRegion).setCreatedAt(Timestamps.of(e.createdAt)).build();
    }

    public static Subject subject(SubjectEntity e) {
        return Subject.newBuilder().setSubjectId(e.subjectId.toString()).setOwningAgencyId(e.owningAgencyId)
                .setGivenNames(e.givenNames).setFamilyName(e.familyName).setDateOfBirth(e.dateOfBirth.toString())
                .setNationality(e.nationality).setPreferredLanguage(e.preferredLanguage).setVersion(e.version)
                .addAllReferencePhotoIds(e.referencePhotoIds == null || e.referencePhotoIds.isEmpty() ? java.util.List.of()
                        : java.util.Arrays.asList(e.referencePhotoIds.split(",")))
                .setCreatedAt(Timestamps.of(e.createdAt)).build();
    }

    /** The whole order, demographic group included: for the owning agency and the subject's own export. */
    public static MonitoringOrder order(OrderEntity e) {
        MonitoringOrder.Builder b = MonitoringOrder.newBuilder().setOrderId(e.orderId.toString()).setSubjectId(e.subjectId.toString())
                .setOwningAgencyId(e.owningAgencyId).setLegalAuthority(e.legalAuthority)
                .setStartsAt(Timestamps.of(e.startsAt)).setEndsAt(Timestamps.of(e.endsAt)).setReviewDueAt(Timestamps.of(e.reviewDueAt))
                .setDeviceType(DeviceType.valueOf(e.deviceType)).setConditions(conditions(e)).setState(OrderState.valueOf(e.state))
                .setVersion(e.version);
        if (e.endedAt != null) {
            b.setEndedAt(Timestamps.of(e.endedAt));
        }
        if (e.demographicGroup != null) {
            b.setDemographicGroup(e.demographicGroup).setDemographicBasis(e.demographicBasis);
        }
        if (e.conditionsStatus != null) {
            b.setConditionsStatus(ConditionsStatus.newBuilder().setState(ConditionsState.valueOf("CONDITIONS_STATE_" + e.conditionsStatus))
                    .setReason(e.conditionsReason == null ? "" : e.conditionsReason)
                    .setVersion(e.conditionsVersion == null ? 0 : e.conditionsVersion));
        }
        return b.build();
    }

    /**
     * The order as the caller may see it: a partner agency (seeing it through a CONDITIONS grant)
     * never sees the demographic group or its basis, which serve only the owner's error-rate report.
     */
    public static MonitoringOrder orderFor(io.sentinel.common.security.Caller caller, OrderEntity e) {
        MonitoringOrder o = order(e);
        return caller.agencyId().equals(e.owningAgencyId) ? o : o.toBuilder().clearDemographicGroup().clearDemographicBasis().build();
    }

    /** The order's legal window, as every peer is told it. */
    static io.sentinel.common.window.OrderWindow window(OrderEntity e) {
        return new io.sentinel.common.window.OrderWindow(e.startsAt, e.endsAt);
    }

    static Conditions conditions(OrderEntity e) {
        try {
            return Conditions.parseFrom(e.conditions);
        } catch (InvalidProtocolBufferException ex) {
            throw new IllegalStateException("stored conditions of order " + e.orderId + " are unreadable", ex);
        }
    }

    public static Device device(DeviceEntity e) {
        Device.Builder b = Device.newBuilder().setDeviceId(e.deviceId.toString()).setSerial(e.serial).setType(DeviceType.valueOf(e.type))
                .setOwningAgencyId(e.owningAgencyId).addAllGatewayIds(gatewayIds(e));
        if (e.assignedSubjectId != null) {
            b.setAssignedSubjectId(e.assignedSubjectId.toString()).setAssignedAt(Timestamps.of(e.assignedAt));
        }
        return b.build();
    }

    /** The device's gateway binding in the order it was given; empty when it has none. */
    public static java.util.List<String> gatewayIds(DeviceEntity e) {
        return e.gatewayIds == null || e.gatewayIds.isEmpty() ? java.util.List.of() : java.util.Arrays.asList(e.gatewayIds.split(","));
    }

    /** The stored form of a validated binding (its ids hold no commas). */
    public static String storedGatewayIds(java.util.List<String> ids) {
        return String.join(",", ids);
    }
}
