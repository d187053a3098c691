package io.sentinel.common.conditions;

import java.util.ArrayList;
import java.util.List;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;

/**
 * An order's conditions as received, before validation: the zones, curfews and time zone that
 * {@code sentinel.enrollment.v1.Conditions} and {@code sentinel.internal.v1.PutSubjectConditionsRequest}
 * both carry. {@link #of} reads either message by its field names, so enrollment-svc and rules-svc
 * (which each generate their own proto classes) feed the validator through one mapping.
 */
public record ConditionsInput(String timeZone, List<ZoneInput> zones, List<CurfewInput> curfews) {

    /** A zone; {@code geojson} and {@code circle} are null when not set (at most one is set). */
    public record ZoneInput(String zoneId, String name, String kind, String geojson, CircleInput circle) {
    }

    /** A circle; {@code hasCentre} is false when the centre was not set (its coordinates then read 0). */
    public record CircleInput(boolean hasCentre, double latitude, double longitude, double radiusMetres) {
    }

    public record CurfewInput(String curfewId, List<WindowInput> windows, List<ExceptionInput> exceptions) {
    }

    public record WindowInput(int startDay, String startTime, String endTime) {
    }

    /** An exception; {@code start} and {@code end} are null when not set. */
    public record ExceptionInput(Timestamp start, Timestamp end, String reason) {
    }

    /** Reads the fields {@code time_zone}, {@code zones} and {@code curfews} of a conditions-carrying message. */
    public static ConditionsInput of(MessageOrBuilder m) {
        List<ZoneInput> zones = new ArrayList<>();
        for (Object z : list(m, "zones")) {
            zones.add(zone((Message) z));
        }
        List<CurfewInput> curfews = new ArrayList<>();
        for (Object c : list(m, "curfews")) {
            curfews.add(curfew((Message) c));
        }
        return new ConditionsInput(string(m, "time_zone"), zones, curfews);
    }

    private static ZoneInput zone(Message z) {
        String geojson = has(z, "geojson") ? string(z, "geojson") : null;
        CircleInput circle = null;
        if (has(z, "circle")) {
            Message c = (Message) z.getField(field(z, "circle"));
            Message centre = (Message) c.getField(field(c, "centre"));
            circle = new CircleInput(has(c, "centre"), (double) centre.getField(field(centre, "latitude")),
                    (double) centre.getField(field(centre, "longitude")), (double) c.getField(field(c, "radius_metres")));
        }
        EnumValueDescriptor kind = (EnumValueDescriptor) z.getField(field(z, "kind"));
        return new ZoneInput(string(z, "zone_id"), string(z, "name"), kind.getName(), geojson, circle);
    }

    private static CurfewInput curfew(Message c) {
        List<WindowInput> windows = new ArrayList<>();
        for (Object o : list(c, "windows")) {
            Message w = (Message) o;
            windows.add(new WindowInput((int) w.getField(field(w, "start_day")), string(w, "start_time"), string(w, "end_time")));
        }
        List<ExceptionInput> exceptions = new ArrayList<>();
        for (Object o : list(c, "exceptions")) {
            Message x = (Message) o;
            exceptions.add(new ExceptionInput(timestamp(x, "start"), timestamp(x, "end"), string(x, "reason")));
        }
        return new CurfewInput(string(c, "curfew_id"), windows, exceptions);
    }

    private static FieldDescriptor field(MessageOrBuilder m, String name) {
        Descriptor d = m.getDescriptorForType();
        FieldDescriptor f = d.findFieldByName(name);
        if (f == null) {
            throw new IllegalArgumentException(d.getFullName() + " has no field " + name);
        }
        return f;
    }

    private static boolean has(MessageOrBuilder m, String name) {
        return m.hasField(field(m, name));
    }

    private static String string(MessageOrBuilder m, String name) {
        return (String) m.getField(field(m, name));
    }

    private static List<?> list(MessageOrBuilder m, String name) {
        return (List<?>) m.getField(field(m, name));
    }

    private static Timestamp timestamp(Message m, String name) {
        if (!has(m, name)) {
            return null;
        }
        Object t = m.getField(field(m, name));
        return t instanceof Timestamp ts ? ts : Timestamp.newBuilder().mergeFrom((Message) t).build();
    }
}
