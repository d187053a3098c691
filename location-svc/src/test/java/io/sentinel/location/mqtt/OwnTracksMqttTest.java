package io.sentinel.location.mqtt;

import static io.sentinel.location.Fixtures.psql;
import static io.sentinel.location.Fixtures.storedFixes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;

/**
 * OwnTracks over MQTT through Sentinel's own Mosquitto (scripts/mosquitto.sh): TLS only, each
 * phone logging in as its device with its own password, an ACL that lets it publish only as
 * itself, and location-svc reading with credentials of its own.
 */
@QuarkusTest
@TestProfile(OwnTracksMqttTest.WithBroker.class)
class OwnTracksMqttTest {
    public static class WithBroker implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(MosquittoTestResource.class));
        }
    }

    static Vertx vertx;
    final List<MqttClient> clients = new ArrayList<>();

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void disconnect() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    @AfterAll
    static void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The phone of {@code device}, logged in over TLS with the password the broker gave it. */
    MqttClient phone(String device) throws Exception {
        return phone(device, MosquittoTestResource.addDevice(device));
    }

    MqttClient phone(String user, String password) throws Exception {
        MqttClientOptions options = new MqttClientOptions().setUsername(user).setPassword(password).setClientId(user + "-" + System.nanoTime());
        options.setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(MosquittoTestResource.ca().toString()))
                .setHostnameVerificationAlgorithm("HTTPS");
        MqttClient c = MqttClient.create(vertx, options);
        clients.add(c);
        c.connect(MosquittoTestResource.PORT, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return c;
    }

    /** The broker's phones report for this deployment's agency, so their devices belong to it. */
    static String assignedDevice() {
        String agency = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("sentinel.agency.id", String.class);
        return io.sentinel.location.Fixtures.assignedDevice(io.sentinel.api.common.v1.LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL,
                agency)[0];
    }

    static void publish(MqttClient client, String topic, String json) throws Exception {
        client.publish(topic, Buffer.buffer(json), MqttQoS.AT_LEAST_ONCE, false, false).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void storesAnOwnTracksLocationPublishedByAPhoneAndRejectsABadOne() throws Exception {
        String device = assignedDevice();
        MqttClient phone = phone(device);
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        String topic = "owntracks/" + device + "/" + device;
        // Rejected (latitude out of range), then a good one on the same topic: order is kept at QoS 1.
        publish(phone, topic, "{\"_type\":\"location\",\"lat\":95.1,\"lon\":-0.12,\"tst\":" + (tst - 30) + ",\"tid\":\"jp\"}");
        publish(phone, topic + "/event", "{\"_type\":\"transition\",\"event\":\"enter\",\"desc\":\"Home\",\"tst\":" + tst + "}");
        publish(phone, topic, """
                {"_type":"location","acc":13,"alt":45,"batt":64,"bs":1,"conn":"m","created_at":%d,"lat":51.500729,
                 "lon":-0.124625,"m":1,"tid":"jp","tst":%d,"vac":3,"vel":4}""".formatted(tst, tst));
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(device) == 1);
        assertThat(psql("select latitude || ',' || battery_percent from fix where device_id = '" + device + "'"))
                .isEqualTo("51.500729,64");
    }

    @Test
    void aPhoneCannotReportForAnotherDevice() throws Exception {
        String mine = assignedDevice();
        String theirs = assignedDevice();
        MqttClient phone = phone(mine);
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        String fix = "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}";
        // Into the other device's topic, and under its own user level naming the other device: the
        // broker's ACL drops both (and location-svc would refuse the second: user and device differ).
        publish(phone, "owntracks/" + theirs + "/" + theirs, fix);
        publish(phone, "owntracks/" + mine + "/" + theirs, fix);
        publish(phone, "owntracks/" + mine + "/" + mine, fix);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(mine) == 1);
        assertThat(storedFixes(theirs)).isZero();
    }

    @Test
    void theBrokerRefusesAPhoneWithoutItsPassword() throws Exception {
        String device = assignedDevice();
        MosquittoTestResource.addDevice(device);
        assertThatThrownBy(() -> phone(device, "not-its-password")).hasStackTraceContaining("NOT_AUTHORIZED");
    }

    @Test
    void theBrokerSpeaksOnlyTls() {
        String device = assignedDevice();
        String password = MosquittoTestResource.addDevice(device);
        MqttClientOptions options = new MqttClientOptions().setUsername(device).setPassword(password);
        options.setConnectTimeout(3000);
        MqttClient plain = MqttClient.create(vertx, options);
        assertThatThrownBy(() -> plain.connect(MosquittoTestResource.PORT, "127.0.0.1").toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void ignoresAPhoneWhoseDeviceIsNotRegistered() throws Exception {
        String registered = assignedDevice();
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        publish(phone("phone"), "owntracks/phone/phone", "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}");
        publish(phone(registered), "owntracks/" + registered + "/" + registered,
                "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}");
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(registered) == 1);
        assertThat(psql("select count(*) from fix where received_at > now() - interval '1 minute' and device_id::text like 'phone%'"))
                .isEqualTo("0");
    }

    @Test
    void aPhoneReportsItsOwnDeviceByUuidOrSerialThoughNoGatewayIsBoundToIt() throws Exception {
        String agency = org.eclipse.microprofile.config.ConfigProvider.getConfig().getValue("sentinel.agency.id", String.class);
        String byUuid = java.util.UUID.randomUUID().toString();
        io.sentinel.location.Fixtures.assign(byUuid, java.util.UUID.randomUUID().toString(), agency, null, 1, List.of());
        String bySerial = java.util.UUID.randomUUID().toString();
        String serial = "PHONE-" + System.nanoTime();
        io.sentinel.location.Fixtures.assign(bySerial, java.util.UUID.randomUUID().toString(), agency, serial, 1, List.of());
        long tst = Instant.now().minus(1, ChronoUnit.MINUTES).getEpochSecond();
        String fix = "{\"_type\":\"location\",\"lat\":51.5,\"lon\":-0.12,\"tst\":" + tst + "}";
        publish(phone(byUuid), "owntracks/" + byUuid + "/" + byUuid, fix);
        publish(phone(serial), "owntracks/" + serial + "/" + serial, fix);
        await().atMost(Duration.ofSeconds(30)).until(() -> storedFixes(byUuid) == 1 && storedFixes(bySerial) == 1);
    }

    @Test
    void eachMessageReportsAsTheDeviceTheBrokerAuthenticatedNeverAsAGateway() {
        io.sentinel.common.security.Caller c = OwnTracksMqttConsumer.callerFor("owntracks/imei-1/imei-1", "agency-a");
        assertThat(c.subject()).isEqualTo("device:imei-1");
        assertThat(c.brokerDeviceIdentifier()).isEqualTo("imei-1");
        assertThat(c.agencyId()).isEqualTo("agency-a");
        assertThat(OwnTracksMqttConsumer.callerFor("owntracks/imei-2/imei-2/event", "agency-a").brokerDeviceIdentifier()).isEqualTo("imei-2");
        // The same name in a token is not the broker's device: it reports only what it is bound to.
        assertThat(new io.sentinel.common.security.Caller("device:imei-1", "agency-a", java.util.Set.of("device-gateway"))
                .brokerDeviceIdentifier()).isNull();
    }

    @Test
    void theTopicsUserMustBeTheDeviceItReportsFor() {
        assertThat(OwnTracksMqttConsumer.userIsNotTheDevice("owntracks/imei-1/imei-1")).isNull();
        assertThat(OwnTracksMqttConsumer.userIsNotTheDevice("owntracks/imei-1/imei-1/event")).isNull();
        assertThat(OwnTracksMqttConsumer.userIsNotTheDevice("owntracks/imei-1/imei-2"))
                .isEqualTo("MQTT user 'imei-1' may report only for itself, not for device 'imei-2'");
    }
}
