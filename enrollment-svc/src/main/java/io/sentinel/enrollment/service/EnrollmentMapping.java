package io.sentinel.enrollment.service;

import com.google.protobuf.InvalidProtocolBufferException;

import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.enrollment.v1.Agency;
import io.sentinel.api.enrollment.v1.AgencyKind;
import io.sentinel.api.enrollment.v1.Conditions;
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

    public static MonitoringOrder order(OrderEntity e) {
        return MonitoringOrder.newBuilder().setOrderId(e.orderId.toString()).setSubjectId(e.subjectId.toString())
                .setOwningAgencyId(e.owningAgencyId).setLegalAuthority(e.legalAuthority)
                .setStartsAt(Timestamps.of(e.startsAt)).setEndsAt(Timestamps.of(e.endsAt)).setReviewDueAt(Timestamps.of(e.reviewDueAt))
                .setDeviceType(DeviceType.valueOf(e.deviceType)).setConditions(conditions(e)).setState(OrderState.valueOf(e.state))
                .setVersion(e.version).build();
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
                .setOwningAgencyId(e.owningAgencyId);
        if (e.assignedSubjectId != null) {
            b.setAssignedSubjectId(e.assignedSubjectId.toString()).setAssignedAt(Timestamps.of(e.assignedAt));
        }
        return b.build();
    }
}
