package io.sentinel.enrollment.client;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.grpc.Channel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.grpc.GrpcClient;
import io.sentinel.api.internal.v1.ExportSubjectRequest;
import io.sentinel.api.internal.v1.ExportSubjectResponse;
import io.sentinel.api.internal.v1.SubjectDataServiceGrpc;
import io.sentinel.common.export.ExportParts;
import io.sentinel.common.grpc.ServiceTokenClientInterceptor;
import io.sentinel.common.security.ServiceTokens;
import io.sentinel.common.security.Services;
import io.smallrye.mutiny.Multi;

/**
 * The peers' subject-access exports (SubjectDataService/ExportSubject), each read as a stream that
 * asks the peer for one message at a time as the caller takes them (gRPC flow control; Quarkus's
 * Mutiny client stubs request without limit), so a lifetime trail passes through enrollment-svc
 * without piling up in its memory.
 */
@ApplicationScoped
public class PeerExports {
    private final Map<String, Channel> peers;

    @Inject
    public PeerExports(@GrpcClient("rules") Channel rules, @GrpcClient("location") Channel location,
            @GrpcClient("biometric") Channel biometric, ServiceTokens tokens) {
        this(Map.of(
                Services.RULES, ServiceTokenClientInterceptor.toPeer(rules, tokens, Services.RULES),
                Services.LOCATION, ServiceTokenClientInterceptor.toPeer(location, tokens, Services.LOCATION),
                Services.BIOMETRIC, ServiceTokenClientInterceptor.toPeer(biometric, tokens, Services.BIOMETRIC)));
    }

    /** Over the given channels, by peer service name. */
    protected PeerExports(Map<String, Channel> peers) {
        this.peers = peers;
    }

    /** One peer's export of everything it holds about a subject, part by part, as the subscriber requests them. */
    public Multi<ExportParts.Part> export(String target, String subjectId) {
        Channel peer = peers.get(target);
        if (peer == null) {
            return Multi.createFrom().failure(new IllegalArgumentException("unknown peer " + target));
        }
        ExportSubjectRequest request = ExportSubjectRequest.newBuilder().setSubjectId(subjectId).build();
        return Multi.createFrom().<ExportSubjectResponse> emitter(emitter -> {
            AtomicReference<ClientCallStreamObserver<ExportSubjectRequest>> call = new AtomicReference<>();
            SubjectDataServiceGrpc.newStub(peer).exportSubject(request, new ClientResponseObserver<ExportSubjectRequest, ExportSubjectResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<ExportSubjectRequest> c) {
                    c.disableAutoRequestWithInitial(0);
                    call.set(c);
                }

                @Override
                public void onNext(ExportSubjectResponse value) {
                    emitter.emit(value);
                }

                @Override
                public void onError(Throwable t) {
                    emitter.fail(t);
                }

                @Override
                public void onCompleted() {
                    emitter.complete();
                }
            });
            ClientCallStreamObserver<ExportSubjectRequest> c = call.get();
            emitter.onRequest(n -> c.request((int) Math.min(n, Integer.MAX_VALUE)));
            emitter.onCancellation(() -> c.cancel("export no longer wanted", null));
            long already = emitter.requested();
            if (already > 0) {
                c.request((int) Math.min(already, Integer.MAX_VALUE));
            }
        }).map(r -> new ExportParts.Part(r.getKind(), r.getSingle(), r.getRecordsList()));
    }
}
