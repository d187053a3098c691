package io.sentinel.system;

import java.util.concurrent.LinkedBlockingQueue;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;

/**
 * An agency's alert feed (SubscribeAlerts from cursor 0) collected into a queue, as the end-to-end
 * tests follow it; cancel {@link #subscription} when done.
 */
record AlertFeed(LinkedBlockingQueue<AlertEvent> alerts, Context.CancellableContext subscription) {

    static AlertFeed subscribe(Channel rules, String token) {
        LinkedBlockingQueue<AlertEvent> alerts = new LinkedBlockingQueue<>();
        Context.CancellableContext subscription = Context.current().withCancellation();
        subscription.run(() -> RulesServiceGrpc.newStub(rules).withCallCredentials(Justified.bearer(token))
                .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(0).build(), new StreamObserver<>() {
                    @Override
                    public void onNext(AlertEvent e) {
                        alerts.add(e);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                }));
        return new AlertFeed(alerts, subscription);
    }
}
