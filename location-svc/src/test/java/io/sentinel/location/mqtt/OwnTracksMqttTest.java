package io.sentinel.location.mqtt;

import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;

/**
 * OwnTracks over MQTT through the real Mosquitto broker on 127.0.0.1:1883. The broker is part of
 * the machine's setup (apt package mosquitto); without it the test is skipped, saying so.
 */
@QuarkusTest
class OwnTracksMqttTest {
    static Vertx vertx;
    static MqttClient client;

    @BeforeAll
    static void connect() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 1883), 1000);
        } catch (IOException e) {
            Assumptions.abort("no MQTT broker listens on 127.0.0.1:1883 (install and start mosquitto to run this test): "
                    + e.getMessage());
        }
        vertx = Vertx.vertx();
        client = MqttClient.create(vertx);
        client.connect(1883, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void disconnect() throws Exception {
        if (client != null) {
            client.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** The broker's phones report for this deployment's agency, so their devices belong to it. */
    static String assignedDevice() {
        String agency = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("sentinel.agency.id", String.class);
        return io.sentinel.location.Fixtures.assignedDevice(io.sentinel.api.common.v1.LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL,
                agency)[0];
    }

    static void publish(String topic, String json) throws Exception {
        client.publish(topic, Buffer.buffer(json), MqttQoS.AT_LEAST_ONCE, false, false).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void storesAnOwnTracksLocationPublishedByAPhoneAndRejectsABadOne() throws Exception {
        String device = assignedDevice();
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        String topic = "owntracks/jane/" + device;
        // Rejected (latitude out of range), then a good one on the same topic: order is kept at QoS 1.
        publish(topic, "{\"_type\":\"location\",\"lat\":95.1,\"lon\":-0.12,\"tst\":" + (tst - 30) + ",\"tid\":\"jp\"}");
        publish(topic + "/event", "{\"_type\":\"transition\",\"event\":\"enter\",\"desc\":\"Home\",\"tst\":" + tst + "}");
        publish(topic, """
                {"_type":"location","acc":13,"alt":45,"batt":64,"bs":1,"conn":"m","created_at":%d,"lat":51.500729,
                 "lon":-0.124625,"m":1,"tid":"jp","tst":%d,"vac":3,"vel":4}""".formatted(tst, tst));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(device) == 1);
        assertThat(psql("select latitude || ',' || battery_percent from fix where device_id = '" + device + "'"))
                .isEqualTo("51.500729,64");
    }

    @Test
    void ignoresAPhoneWhoseDeviceIsNotRegistered() throws Exception {
        String registered = assignedDevice();
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        publish("owntracks/jane/phone", "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}");
        publish("owntracks/jane/" + registered, "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}");
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(registered) == 1);
        assertThat(psql("select count(*) from fix where received_at > now() - interval '1 minute' and device_id::text like 'phone%'"))
                .isEqualTo("0");
    }
}
