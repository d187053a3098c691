package io.sentinel.enrollment.grpc;

import java.util.function.Supplier;

import jakarta.annotation.security.RolesAllowed;

import io.quarkus.grpc.GrpcService;
import io.sentinel.api.enrollment.v1.*;
import io.sentinel.enrollment.service.CaseService;
import io.sentinel.common.security.CurrentCaller;
import io.sentinel.common.security.Roles;
import io.sentinel.enrollment.service.OutboxDispatcher;
import io.smallrye.mutiny.Uni;

/** The gRPC edge of enrollment-svc, for partner agencies' systems. */
@GrpcService
public class EnrollmentGrpcService implements EnrollmentService {
    private final CaseService service;
    private final OutboxDispatcher outbox;
    private final CurrentCaller caller;

    public EnrollmentGrpcService(CaseService service, OutboxDispatcher outbox, CurrentCaller caller) {
        this.service = service;
        this.outbox = outbox;
        this.caller = caller;
    }

    /** Defers so validation failures surface as gRPC status, not as exceptions thrown past the stub. */
    private static <T> Uni<T> call(Supplier<Uni<? extends T>> s) {
        return Uni.createFrom().deferred(s);
    }

    @Override
    @RolesAllowed(Roles.ADMIN)
    public Uni<CreateAgencyResponse> createAgency(CreateAgencyRequest r) {
        var who = caller.get();
        return call(() -> service.createAgency(who, r.getIdempotencyKey(), r.getAgency()))
                .map(a -> CreateAgencyResponse.newBuilder().setAgency(a).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER, Roles.PARTNER, Roles.SERVICE })
    public Uni<GetAgencyResponse> getAgency(GetAgencyRequest r) {
        return call(() -> service.getAgency(r.getAgencyId())).map(a -> GetAgencyResponse.newBuilder().setAgency(a).build());
    }

    @Override
    @RolesAllowed({ Roles.ADMIN, Roles.CASEWORKER, Roles.PARTNER, Roles.SERVICE })
    public Uni<ListAgenciesResponse> listAgencies(ListAgenciesRequest r) {
        return call(() -> service.listAgencies(r.getPageSize(), r.getPageToken()))
                .map(p -> ListAgenciesResponse.newBuilder().addAllAgencies(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<CreateSubjectResponse> createSubject(CreateSubjectRequest r) {
        var who = caller.get();
        return call(() -> service.createSubject(who, r.getIdempotencyKey(), r.getSubject()))
                .map(s -> CreateSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetSubjectResponse> getSubject(GetSubjectRequest r) {
        var who = caller.get();
        return call(() -> service.getSubject(who, r.getSubjectId())).map(s -> GetSubjectResponse.newBuilder().setSubject(s).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListSubjectsResponse> listSubjects(ListSubjectsRequest r) {
        var who = caller.get();
        return call(() -> service.listSubjects(who, r.getPageSize(), r.getPageToken()))
                .map(p -> ListSubjectsResponse.newBuilder().addAllSubjects(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<CreateOrderResponse> createOrder(CreateOrderRequest r) {
        var who = caller.get();
        return call(() -> service.createOrder(who, r.getIdempotencyKey(), r.getOrder()))
                .invoke(outbox::wake)
                .map(o -> CreateOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetOrderResponse> getOrder(GetOrderRequest r) {
        var who = caller.get();
        return call(() -> service.getOrder(who, r.getOrderId())).map(o -> GetOrderResponse.newBuilder().setOrder(o).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListOrdersResponse> listOrders(ListOrdersRequest r) {
        var who = caller.get();
        return call(() -> service.listOrders(who, r.getSubjectId(), r.getPageSize(), r.getPageToken()))
                .map(p -> ListOrdersResponse.newBuilder().addAllOrders(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<RegisterDeviceResponse> registerDevice(RegisterDeviceRequest r) {
        var who = caller.get();
        return call(() -> service.registerDevice(who, r.getIdempotencyKey(), r.getDevice()))
                .map(d -> RegisterDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<GetDeviceResponse> getDevice(GetDeviceRequest r) {
        var who = caller.get();
        return call(() -> service.getDevice(who, r.getDeviceId())).map(d -> GetDeviceResponse.newBuilder().setDevice(d).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<ListDevicesResponse> listDevices(ListDevicesRequest r) {
        var who = caller.get();
        return call(() -> service.listDevices(who, r.getPageSize(), r.getPageToken()))
                .map(p -> ListDevicesResponse.newBuilder().addAllDevices(p.items()).setNextPageToken(p.nextPageToken()).build());
    }

    @Override
    @RolesAllowed(Roles.CASEWORKER)
    public Uni<AssignDeviceResponse> assignDevice(AssignDeviceRequest r) {
        var who = caller.get();
        return call(() -> service.assignDevice(who, r.getDeviceId(), r.getSubjectId()))
                .invoke(outbox::wake)
                .map(d -> AssignDeviceResponse.newBuilder().setDevice(d).build());
    }
}
