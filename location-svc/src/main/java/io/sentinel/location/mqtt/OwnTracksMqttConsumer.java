package io.sentinel.location.mqtt;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.sentinel.common.error.SentinelException;
import io.sentinel.common.security.Caller;
import io.sentinel.location.domain.protocol.owntracks.OwnTracksParser;
import io.sentinel.location.rest.DeviceReports;
import io.sentinel.location.rest.OwnTracksResource;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.mqtt.ReceivingMqttMessageMetadata;

/**
 * OwnTracks over MQTT: location messages published to {@code owntracks/<user>/<device>} on the
 * agency's broker, read over TLS with location-svc's own credentials. The broker authenticates each
 * phone by its own password, and a phone's MQTT user name is its device's identifier (UUID or
 * registered serial); its ACL lets a user publish only under its own name. location-svc checks
 * that as well: a report is taken only when the topic's user is the device it reports for, so a
 * phone cannot report for another device even on a broker whose ACL is looser. Each report arrives
 * as the device itself ({@link Caller#brokerDevice}: subject {@code device:<topic user>}, this
 * deployment's agency), which the gateway binding lets report that one device and no other, whatever
 * gateways are bound to it; otherwise the same acceptance rules apply as for every other protocol.
 * Each message is acknowledged after it is stored or finally rejected (OwnTracks never resends a
 * message, so a rejection is logged, not retried).
 */
@ApplicationScoped
public class OwnTracksMqttConsumer {
    private static final Logger LOG = Logger.getLogger(OwnTracksMqttConsumer.class);

    private final OwnTracksParser parser = new OwnTracksParser();
    private final DeviceReports reports;
    private final String agencyId;

    public OwnTracksMqttConsumer(DeviceReports reports, @ConfigProperty(name = "sentinel.agency.id") String agencyId) {
        this.reports = reports;
        this.agencyId = agencyId;
    }

    /**
     * The caller a message on {@code topic} reports as: the device the broker authenticated, named by
     * the topic's user level (its MQTT user name, which the broker's ACL ties to the topic).
     */
    static Caller callerFor(String topic, String agencyId) {
        String[] levels = topic == null ? new String[0] : topic.split("/", -1);
        return Caller.brokerDevice(levels.length > 1 ? levels[1] : "", agencyId);
    }

    /**
     * Why the topic's user may not report for the topic's device, or null when it may: in
     * {@code owntracks/<user>/<device>[/...]} both must name the same device. Refusals name topic
     * levels (device identifiers), never the payload's positions.
     */
    static String userIsNotTheDevice(String topic) {
        String[] levels = topic == null ? new String[0] : topic.split("/", -1);
        if (levels.length < 3) {
            return null; // not owntracks/<user>/<device>: the parser rejects it, saying why
        }
        return levels[1].equals(levels[2]) ? null
                : "MQTT user '" + levels[1] + "' may report only for itself, not for device '" + levels[2] + "'";
    }

    @Incoming("owntracks")
    public Uni<Void> consume(Message<byte[]> message) {
        String topic = message.getMetadata(ReceivingMqttMessageMetadata.class).map(ReceivingMqttMessageMetadata::getTopic)
                .orElse(null);
        String payload = message.getPayload() == null ? null : new String(message.getPayload(), StandardCharsets.UTF_8);
        String refusal = userIsNotTheDevice(topic);
        if (refusal != null) {
            LOG.warnf("OwnTracks message refused: %s", refusal);
            return Uni.createFrom().completionStage(message.ack());
        }
        return Uni.createFrom().deferred(() -> reports.store(callerFor(topic, agencyId),
                OwnTracksResource.toSentinelDevices(parser.parseMqtt(topic, payload, Instant.now())),
                "topic", SentinelException.Kind.INVALID_ARGUMENT))
                .onFailure(SentinelException.class).invoke(e -> LOG.warnf("OwnTracks message on %s rejected: %s", topic,
                        ((SentinelException) e).describe()))
                .onFailure(SentinelException.class).recoverWithItem(0)
                // Anything else (database down) is not acknowledged: the broker redelivers QoS 1 messages on reconnect.
                .onFailure().call(t -> Uni.createFrom().completionStage(message.nack(t)))
                .chain(() -> Uni.createFrom().completionStage(message.ack()));
    }
}
