package io.sentinel.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.sentinel.api.audit.v1.AuditEntry;
import io.sentinel.api.audit.v1.AuditServiceGrpc;
import io.sentinel.api.audit.v1.QueryAuditLogRequest;
import io.sentinel.api.audit.v1.QueryAuditLogResponse;
import io.sentinel.api.common.v1.DataCategory;
import io.sentinel.api.common.v1.DeviceType;
import io.sentinel.api.common.v1.LocationCadence;
import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.enrollment.v1.AmendConditionsRequest;
import io.sentinel.api.enrollment.v1.AssignDeviceRequest;
import io.sentinel.api.enrollment.v1.CheckInPolicy;
import io.sentinel.api.enrollment.v1.Conditions;
import io.sentinel.api.enrollment.v1.ConditionsState;
import io.sentinel.api.enrollment.v1.CreateOrderRequest;
import io.sentinel.api.enrollment.v1.CreateSubjectRequest;
import io.sentinel.api.enrollment.v1.Device;
import io.sentinel.api.enrollment.v1.EndOrderRequest;
import io.sentinel.api.enrollment.v1.EnrollmentServiceGrpc;
import io.sentinel.api.enrollment.v1.GetOrderRequest;
import io.sentinel.api.enrollment.v1.GetPurgeReportRequest;
import io.sentinel.api.enrollment.v1.GetSubjectRequest;
import io.sentinel.api.enrollment.v1.MonitoringOrder;
import io.sentinel.api.enrollment.v1.PurgeCount;
import io.sentinel.api.enrollment.v1.PurgeReport;
import io.sentinel.api.enrollment.v1.RegisterDeviceRequest;
import io.sentinel.api.enrollment.v1.RetentionPeriod;
import io.sentinel.api.enrollment.v1.SetRetentionPolicyRequest;
import io.sentinel.api.enrollment.v1.Subject;
import io.sentinel.api.location.v1.Fix;
import io.sentinel.api.location.v1.FixBatch;
import io.sentinel.api.location.v1.FixBatchAck;
import io.sentinel.api.location.v1.LocationServiceGrpc;
import io.sentinel.api.location.v1.QueryTrailRequest;
import io.sentinel.api.rules.v1.Alert;
import io.sentinel.api.rules.v1.AlertEvent;
import io.sentinel.api.rules.v1.AlertEventType;
import io.sentinel.api.rules.v1.AlertKind;
import io.sentinel.api.rules.v1.ListAlertsRequest;
import io.sentinel.api.rules.v1.RulesServiceGrpc;
import io.sentinel.api.rules.v1.SubscribeAlertsRequest;
import io.sentinel.common.testing.TestTokens;
import io.sentinel.common.util.Timestamps;

/**
 * Two replicas of every service on the same four databases, as the chart deploys them, with the
 * traffic spread over both: caseworkers alternate between the enrollment replicas, gateways between
 * the location replicas, and replica r of each service calls replica r of its peers, so both
 * outbox dispatchers, both forwarders, both evaluators and both feed sequencers work at once.
 *
 * <p>What is counted is what the receivers did, never what the senders believe they sent: rules-svc's
 * audit log has one "conditions.put" record per PutSubjectConditions it received (an applied
 * version, or "not newer ... unchanged" for a redelivered or overtaken one); rules-svc's alerts and
 * feed; location-svc's trail; and the purge report, whose peer counts enrollment-svc adds up from
 * each confirmation (a PurgeSubject delivered twice is confirmed twice, with the same counts).
 */
class TwoReplicasIT {
    static final String AGENCY = "agency-replicas";
    static final String GATEWAY = "gateway-replicas";
    static final int REPLICAS = 2;
    /** Subjects whose conditions are amended in quick succession, then breached once. */
    static final int SUBJECTS = 3;
    /** Amendments per subject after the order's creation. */
    static final int AMENDMENTS = 5;
    /** The final zone: Parliament Square, as in SliceIT. */
    static final double[] FINAL = { -0.1290, 51.5000, -0.1250, 51.5020 };

    static Suite suite;
    static final List<ManagedChannel> enrollment = new ArrayList<>();
    static final List<ManagedChannel> location = new ArrayList<>();
    static final List<ManagedChannel> rules = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        suite = new Suite(AGENCY, REPLICAS);
        // Both enrollment replicas' purge schedulers fire in the same second, every three seconds.
        suite.env.put("SENTINEL_RETENTION_PURGE_CRON", "0/3 * * * * ?");
        suite.startAll();
        for (int r = 1; r <= REPLICAS; r++) {
            enrollment.add(suite.channel(Suite.instance("enrollment-svc", r)));
            location.add(suite.channel(Suite.instance("location-svc", r)));
            rules.add(suite.channel(Suite.instance("rules-svc", r)));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (List<ManagedChannel> cs : List.of(enrollment, location, rules)) {
            cs.forEach(ManagedChannel::shutdownNow);
        }
        if (suite != null) {
            suite.close();
        }
    }

    static EnrollmentServiceGrpc.EnrollmentServiceBlockingStub enrollmentAs(int replica, String sub, String role) {
        return EnrollmentServiceGrpc.newBlockingStub(enrollment.get(replica % REPLICAS))
                .withCallCredentials(Justified.bearer(TestTokens.token(sub, AGENCY, role))).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static RulesServiceGrpc.RulesServiceBlockingStub rulesAt(int replica) {
        return RulesServiceGrpc.newBlockingStub(rules.get(replica % REPLICAS))
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker"))).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    static String square(double west, double south, double east, double north) {
        return String.format(Locale.ROOT, "{\"type\":\"Polygon\",\"coordinates\":[[[%f,%f],[%f,%f],[%f,%f],[%f,%f],[%f,%f]]]}", west, south,
                east, south, east, north, west, north, west, south);
    }

    /** The exclusion zone of amendment {@code i} (0: at creation): each elsewhere in London; the last one is {@link #FINAL}. */
    static Conditions conditions(int i) {
        String geojson = i == AMENDMENTS ? square(FINAL[0], FINAL[1], FINAL[2], FINAL[3])
                : square(-0.1000 + 0.01 * i, 51.5300, -0.0960 + 0.01 * i, 51.5320);
        return Conditions.newBuilder().setTimeZone("Europe/London")
                .addZones(Zone.newBuilder().setName("Zone " + i).setKind(ZoneKind.ZONE_KIND_EXCLUSION).setGeojson(geojson))
                .setCheckIns(CheckInPolicy.newBuilder().setPerDay(1 + i % 2).setWindowStart("08:00").setWindowEnd("20:00"))
                .setCadence(LocationCadence.LOCATION_CADENCE_CONTINUOUS_TRAIL).build();
    }

    record Monitored(Subject subject, MonitoringOrder order, Device device) {
    }

    /** A subject with an active order (conditions {@code conditions(0)}) and a tag bound to the test's gateway. */
    static Monitored enrol(int replica, String name) {
        var caseworker = enrollmentAs(replica, "alice", "caseworker");
        Subject subject = caseworker.createSubject(CreateSubjectRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setSubject(Subject.newBuilder().setGivenNames(name).setFamilyName("Replica").setDateOfBirth("1988-03-04")
                        .setNationality("GBR").setPreferredLanguage("en")).build()).getSubject();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        MonitoringOrder order = enrollmentAs(replica + 1, "alice", "caseworker").createOrder(CreateOrderRequest.newBuilder()
                .setIdempotencyKey(UUID.randomUUID().toString())
                .setOrder(MonitoringOrder.newBuilder().setSubjectId(subject.getSubjectId()).setLegalAuthority("Court order 2026/" + name)
                        .setStartsAt(Timestamps.of(now.minus(1, ChronoUnit.DAYS))).setEndsAt(Timestamps.of(now.plus(60, ChronoUnit.DAYS)))
                        .setDeviceType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG).setConditions(conditions(0))).build()).getOrder();
        Device device = caseworker.registerDevice(RegisterDeviceRequest.newBuilder().setIdempotencyKey(UUID.randomUUID().toString())
                .setDevice(Device.newBuilder().setSerial("TAG-" + UUID.randomUUID()).setType(DeviceType.DEVICE_TYPE_FITTED_ANKLE_TAG)
                        .addGatewayIds(GATEWAY)).build()).getDevice();
        enrollmentAs(replica + 1, "alice", "caseworker").assignDevice(AssignDeviceRequest.newBuilder().setDeviceId(device.getDeviceId())
                .setSubjectId(subject.getSubjectId()).build());
        return new Monitored(subject, order, device);
    }

    /** Sends a batch to location replica {@code replica}, retrying while the device's assignment is still on its way. */
    static FixBatchAck send(int replica, FixBatch batch) {
        FixBatchAck[] ack = new FixBatchAck[1];
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() -> {
            ack[0] = SliceIT.send(location.get(replica % REPLICAS), TestTokens.token(GATEWAY, AGENCY, "device-gateway"), batch);
            return ack[0].getAccepted() == batch.getFixesCount();
        });
        return ack[0];
    }

    /** Fixes of one device every 30 s from {@code from}, at the centre of {@code box} (west, south, east, north), one batch each. */
    static List<FixBatch> stay(String device, Instant from, double[] box, int fixes, long[] sequence) {
        List<FixBatch> out = new ArrayList<>();
        for (int i = 0; i < fixes; i++) {
            out.add(FixBatch.newBuilder().setSequence(++sequence[0]).addFixes(Fix.newBuilder().setDeviceId(device)
                    .setDeviceTime(Timestamps.of(from.plusSeconds(30L * i))).setLatitude((box[1] + box[3]) / 2 + i * 0.000001)
                    .setLongitude((box[0] + box[2]) / 2).setAccuracyMetres(5)).build());
        }
        return out;
    }

    static int trail(String subjectId) {
        Instant now = Instant.now();
        return LocationServiceGrpc.newBlockingStub(location.get(1))
                .withCallCredentials(Justified.bearer(TestTokens.token("alice", AGENCY, "caseworker"))).withDeadlineAfter(60, TimeUnit.SECONDS)
                .queryTrail(QueryTrailRequest.newBuilder().setSubjectId(subjectId).setFrom(Timestamps.of(now.minus(1, ChronoUnit.DAYS)))
                        .setTo(Timestamps.of(now.plusSeconds(60))).build())
                .getPointsCount();
    }

    /** Every audit record of {@code service} (replica 1) naming {@code subjectId}, oldest first. */
    static List<AuditEntry> audit(String service, String subjectId) {
        var auditor = AuditServiceGrpc.newBlockingStub(suite.channel(service))
                .withCallCredentials(Justified.bearer(TestTokens.token("audrey", AGENCY, "auditor"))).withDeadlineAfter(60, TimeUnit.SECONDS);
        List<AuditEntry> out = new ArrayList<>();
        String page = "";
        do {
            QueryAuditLogResponse r = auditor.queryAuditLog(QueryAuditLogRequest.newBuilder().setSubjectId(subjectId).setPageSize(500)
                    .setPageToken(page).build());
            out.addAll(r.getEntriesList());
            page = r.getNextPageToken();
        } while (!page.isEmpty());
        // Newest first as served; oldest first here, by the time each was written (unsealed records have no seq yet).
        out.sort(java.util.Comparator.comparing((AuditEntry e) -> Instant.ofEpochSecond(e.getOccurredAt().getSeconds(), e.getOccurredAt().getNanos()))
                .thenComparingLong(AuditEntry::getSeq));
        return out;
    }

    /** A SubscribeAlerts client on one replica, from the start of the feed. */
    static final class Subscriber implements StreamObserver<AlertEvent> {
        final List<AlertEvent> events = new CopyOnWriteArrayList<>();
        final Context.CancellableContext context = Context.current().withCancellation();
        volatile Throwable failed;

        Subscriber(int replica) {
            context.run(() -> RulesServiceGrpc.newStub(rules.get(replica))
                    .withCallCredentials(Justified.bearer(TestTokens.token("duty-officer-" + replica, AGENCY, "caseworker")))
                    .subscribeAlerts(SubscribeAlertsRequest.newBuilder().setAfterCursor(0).build(), this));
        }

        @Override
        public void onNext(AlertEvent e) {
            events.add(e);
        }

        @Override
        public void onError(Throwable t) {
            failed = t;
        }

        @Override
        public void onCompleted() {
        }
    }

    private static final Pattern PUT_VERSION = Pattern.compile("version (\\d+)(.*)");

    @Test
    void deliveryIsOnceAndInOrderAlertsAreSingleFeedsAgreeAndOnePurgeRuns() throws Exception {
        List<Subscriber> feeds = List.of(new Subscriber(0), new Subscriber(1));
        try {
            // ---- Conditions amended in quick succession through both enrollment replicas.
            List<Monitored> subjects = new ArrayList<>();
            for (int s = 0; s < SUBJECTS; s++) {
                subjects.add(enrol(s, "Amended" + s));
            }
            Map<String, MonitoringOrder> latest = new HashMap<>();
            for (Monitored m : subjects) {
                latest.put(m.subject().getSubjectId(), m.order());
            }
            for (int i = 1; i <= AMENDMENTS; i++) {
                for (Monitored m : subjects) {
                    MonitoringOrder before = latest.get(m.subject().getSubjectId());
                    latest.put(m.subject().getSubjectId(), enrollmentAs(i, "alice", "caseworker").amendConditions(AmendConditionsRequest
                            .newBuilder().setOrderId(before.getOrderId()).setVersion(before.getVersion()).setConditions(conditions(i)).build())
                            .getOrder());
                }
            }
            // Each order shows its last version applied at rules-svc.
            for (Monitored m : subjects) {
                MonitoringOrder last = latest.get(m.subject().getSubjectId());
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> enrollmentAs(0, "alice", "caseworker")
                        .getOrder(GetOrderRequest.newBuilder().setOrderId(last.getOrderId()).build()).getOrder().getConditionsStatus()
                        .getState() == ConditionsState.CONDITIONS_STATE_APPLIED);
            }
            // rules-svc received each version it was sent once, in the order written: no put was redelivered
            // ("not newer than N: unchanged") or overtaken by a later one, and the last one holds.
            for (Monitored m : subjects) {
                List<String> puts = audit("rules-svc", m.subject().getSubjectId()).stream()
                        .filter(e -> e.getAction().equals("conditions.put")).map(AuditEntry::getDetail).toList();
                assertThat(puts).as("rules-svc's conditions.put records of %s", m.subject().getSubjectId())
                        .noneMatch(d -> d.contains("unchanged")).isNotEmpty();
                List<Long> versions = puts.stream().map(d -> {
                    Matcher v = PUT_VERSION.matcher(d);
                    assertThat(v.matches()).as(d).isTrue();
                    return Long.parseLong(v.group(1));
                }).toList();
                assertThat(versions).as("applied versions of %s", m.subject().getSubjectId()).isSorted().doesNotHaveDuplicates();
            }

            // ---- Breaches: fixes alternate between the location replicas; each is evaluated by the rules
            // replica its location replica forwards to, under the last conditions.
            Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(15, ChronoUnit.MINUTES);
            // The zone of the last version but one (see conditions(i)).
            double[] previousZone = { -0.1000 + 0.01 * (AMENDMENTS - 1), 51.5300, -0.0960 + 0.01 * (AMENDMENTS - 1), 51.5320 };
            Map<String, Integer> sent = new HashMap<>();
            int batchNo = 0;
            for (Monitored m : subjects) {
                long[] seq = { 0 };
                // Seven fixes, 3 minutes, inside the zone of the version before the last: no longer a condition
                // anywhere, whichever rules replica evaluates them, so no alert.
                List<FixBatch> batches = new ArrayList<>(stay(m.device().getDeviceId(), start, previousZone, 7, seq));
                // Then seven inside the final zone: one breach.
                batches.addAll(stay(m.device().getDeviceId(), start.plus(5, ChronoUnit.MINUTES), FINAL, 7, seq));
                int first = batchNo;
                for (FixBatch b : batches) {
                    send(batchNo++, b);
                }
                // A gateway that lost an acknowledgement sends a batch again, to the other replica: stored once.
                int last = batches.size() - 1;
                send(first + last + 1, batches.get(last));
                send(first + 3 + 1, batches.get(3));
                sent.put(m.subject().getSubjectId(), batches.size());
            }
            for (Monitored m : subjects) {
                String zone = latest.get(m.subject().getSubjectId()).getConditions().getZones(0).getZoneId();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> rulesAt(0).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(m.subject().getSubjectId()).build())
                                .getAlertsCount() > 0);
                List<Alert> alerts = rulesAt(1).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(m.subject().getSubjectId()).build())
                        .getAlertsList();
                assertThat(alerts).as("alerts of %s", m.subject().getSubjectId()).singleElement().satisfies(a -> {
                    assertThat(a.getKind()).isEqualTo(AlertKind.ALERT_KIND_EXCLUSION_ZONE_ENTERED);
                    assertThat(a.getConditionId()).isEqualTo(zone);
                });
                assertThat(trail(m.subject().getSubjectId())).as("trail of %s", m.subject().getSubjectId())
                        .isEqualTo(sent.get(m.subject().getSubjectId()));
            }

            // ---- One purge run although both enrollment replicas' schedulers fire: a subject with a trail,
            // its order ended, and retention set to nothing.
            Monitored purged = enrol(1, "Purged");
            long[] seq = { 0 };
            double[] elsewhere = { -0.2000, 51.4500, -0.1960, 51.4520 };
            List<FixBatch> trailBatches = stay(purged.device().getDeviceId(), start, elsewhere, 10, seq);
            for (FixBatch b : trailBatches) {
                send(batchNo++, b);
            }
            send(batchNo - trailBatches.size() + 1, trailBatches.get(0));
            assertThat(trail(purged.subject().getSubjectId())).isEqualTo(trailBatches.size());
            MonitoringOrder ended = enrollmentAs(0, "alice", "caseworker").getOrder(GetOrderRequest.newBuilder()
                    .setOrderId(purged.order().getOrderId()).build()).getOrder();
            enrollmentAs(1, "alice", "caseworker").endOrder(EndOrderRequest.newBuilder().setOrderId(ended.getOrderId())
                    .setVersion(ended.getVersion()).build());
            SetRetentionPolicyRequest.Builder nothingKept = SetRetentionPolicyRequest.newBuilder();
            for (DataCategory c : List.of(DataCategory.DATA_CATEGORY_IDENTITY, DataCategory.DATA_CATEGORY_CONDITIONS,
                    DataCategory.DATA_CATEGORY_LOCATION_TRAIL, DataCategory.DATA_CATEGORY_ALERTS, DataCategory.DATA_CATEGORY_BIOMETRIC_RESULTS)) {
                nothingKept.addPeriods(RetentionPeriod.newBuilder().setCategory(c).setDays(0));
            }
            enrollmentAs(0, "root", "admin").setRetentionPolicy(nothingKept.build());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                try {
                    enrollmentAs(0, "alice", "caseworker").getSubject(GetSubjectRequest.newBuilder().setSubjectId(purged.subject().getSubjectId()).build());
                    return false;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() == Status.Code.NOT_FOUND;
                }
            });
            List<AuditEntry> purges = audit("enrollment-svc", purged.subject().getSubjectId()).stream()
                    .filter(e -> e.getAction().equals("subject.purge")).toList();
            assertThat(purges).as("purge runs that purged the subject").hasSize(1);
            Matcher id = Pattern.compile("purge ([0-9a-f-]{36}).*").matcher(purges.get(0).getDetail());
            assertThat(id.matches()).as(purges.get(0).getDetail()).isTrue();
            PurgeReport[] report = new PurgeReport[1];
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                report[0] = enrollmentAs(1, "root", "admin").getPurgeReport(GetPurgeReportRequest.newBuilder().setPurgeId(id.group(1)).build())
                        .getReport();
                return report[0].getComplete();
            });
            assertThat(report[0].getSubjects()).isEqualTo(1);
            assertThat(report[0].getPeersList()).hasSize(3).allSatisfy(p -> {
                assertThat(p.getRequested()).as(p.getTarget()).isEqualTo(1);
                assertThat(p.getConfirmed()).as(p.getTarget()).isEqualTo(1);
            });
            // Each peer's counts once: a PurgeSubject delivered twice would be confirmed, and counted, twice.
            assertThat(report[0].getCountsList()).filteredOn(c -> c.getSource().equals("location-svc")
                    && c.getCategory().equals("DATA_CATEGORY_LOCATION_TRAIL")).extracting(PurgeCount::getCount)
                    .containsExactly((long) trailBatches.size());
            for (String peer : List.of("location-svc", "rules-svc", "biometric-svc")) {
                assertThat(audit(peer, purged.subject().getSubjectId())).as("%s's purges of the subject", peer)
                        .filteredOn(e -> e.getAction().equals("subject.purge")).hasSize(1);
            }

            // ---- Still one alert per breach, now that everything sent has long been evaluated by both replicas.
            for (Monitored m : subjects) {
                assertThat(rulesAt(0).listAlerts(ListAlertsRequest.newBuilder().setSubjectId(m.subject().getSubjectId()).build())
                        .getAlertsCount()).as("alerts of %s", m.subject().getSubjectId()).isEqualTo(1);
            }

            // ---- The feed: a subscriber on each replica sees the same events, cursors ascending without a gap.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> feeds.stream()
                    .allMatch(f -> f.events.stream().filter(e -> e.getType() == AlertEventType.ALERT_EVENT_TYPE_OPENED).count() >= SUBJECTS));
            for (Subscriber f : feeds) {
                assertThat(f.failed).isNull();
            }
            List<String> first = feeds.get(0).events.stream().map(e -> e.getCursor() + " " + e.getType() + " " + e.getAlert().getAlertId()).toList();
            List<String> second = feeds.get(1).events.stream().map(e -> e.getCursor() + " " + e.getType() + " " + e.getAlert().getAlertId()).toList();
            int common = Math.min(first.size(), second.size());
            assertThat(second.subList(0, common)).as("the feed at rules-svc replica 2").isEqualTo(first.subList(0, common));
            List<Long> cursors = feeds.get(0).events.stream().map(AlertEvent::getCursor).toList();
            for (int i = 1; i < cursors.size(); i++) {
                assertThat(cursors.get(i)).as("cursor after %d", cursors.get(i - 1)).isEqualTo(cursors.get(i - 1) + 1);
            }
            assertThat(feeds.get(0).events).filteredOn(e -> e.getType() == AlertEventType.ALERT_EVENT_TYPE_OPENED)
                    .extracting(e -> e.getAlert().getSubjectId()).containsExactlyInAnyOrderElementsOf(
                            subjects.stream().map(m -> m.subject().getSubjectId()).toList());
        } finally {
            feeds.forEach(f -> f.context.cancel(null));
        }
    }
}
