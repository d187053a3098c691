package io.sentinel.rules.service;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;

import io.sentinel.api.common.v1.Zone;
import io.sentinel.api.common.v1.ZoneKind;
import io.sentinel.api.rules.v1.PutSubjectConditionsRequest;
import io.sentinel.common.error.Check;
import io.sentinel.common.error.SentinelException;
import io.sentinel.common.geo.ZoneShapes;
import io.sentinel.common.geo.Zones;

/**
 * The zones of every monitored subject, held in memory as prepared geometries so a fix is
 * evaluated without touching the database. Each subject's entry is replaced whole (copy on
 * write), so an update takes effect atomically and without restart.
 */
@ApplicationScoped
public class ConditionsIndex {

    /** One zone ready for containment tests. */
    public record ZoneRule(String zoneId, ZoneKind kind, PreparedGeometry polygon, double lat, double lon, double radiusMetres) {
        boolean contains(double latitude, double longitude) {
            if (polygon != null) {
                return polygon.covers(ZoneShapes.FACTORY.createPoint(new Coordinate(longitude, latitude)));
            }
            return Geo.distanceMetres(lat, lon, latitude, longitude) <= radiusMetres;
        }
    }

    /** Everything rules-svc needs to evaluate one subject's fixes. */
    public record SubjectRules(UUID subjectId, String owningAgencyId, long version, List<ZoneRule> zones) {
    }

    private final Map<UUID, SubjectRules> bySubject = new ConcurrentHashMap<>();

    public SubjectRules get(UUID subjectId) {
        return bySubject.get(subjectId);
    }

    public int size() {
        return bySubject.size();
    }

    /** Parses and validates a request; throws INVALID_ARGUMENT naming the offending zone field. */
    public static SubjectRules compile(PutSubjectConditionsRequest r) {
        UUID subject = Check.uuid("subject_id", r.getSubjectId());
        List<ZoneRule> zones = new ArrayList<>();
        for (int i = 0; i < r.getZonesCount(); i++) {
            zones.add(compile("zones[" + i + "]", r.getZones(i)));
        }
        return new SubjectRules(subject, r.getOwningAgencyId(), r.getVersion(), List.copyOf(zones));
    }

    static ZoneRule compile(String f, Zone z) {
        Check.uuid(f + ".zone_id", z.getZoneId());
        if (z.getKind() == ZoneKind.ZONE_KIND_UNSPECIFIED || z.getKind() == ZoneKind.UNRECOGNIZED) {
            throw SentinelException.invalid(f + ".kind", "must be INCLUSION, EXCLUSION or HOME");
        }
        if (z.getShapeCase() == Zone.ShapeCase.GEOJSON) {
            return new ZoneRule(z.getZoneId(), z.getKind(), PreparedGeometryFactory.prepare(Zones.polygon(f + ".geojson", z.getGeojson())),
                    0, 0, 0);
        }
        if (z.getShapeCase() == Zone.ShapeCase.CIRCLE) {
            var c = z.getCircle();
            Zones.circle(f + ".circle", c.getCentre().getLatitude(), c.getCentre().getLongitude(), c.getRadiusMetres());
            return new ZoneRule(z.getZoneId(), z.getKind(), null, c.getCentre().getLatitude(), c.getCentre().getLongitude(),
                    c.getRadiusMetres());
        }
        throw SentinelException.invalid(f, "needs a geojson or circle shape");
    }

    public void put(SubjectRules rules, boolean active) {
        if (active) {
            bySubject.put(rules.subjectId(), rules);
        } else {
            bySubject.remove(rules.subjectId());
        }
    }
}
