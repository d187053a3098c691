package io.sentinel.location.domain;

/** Kinds of device-health event location-svc sends to rules-svc. */
public enum DeviceEventType {
    /** Battery fell to or below the low threshold (raised once until it recovers). */
    LOW_BATTERY,
    /** The device went on external power. */
    CHARGING_STARTED,
    /** The device came off external power. */
    CHARGING_STOPPED,
    /** The device reported its strap as tampered after it was not. */
    STRAP_TAMPER,
    /** Nothing was received for longer than the order's expected reporting interval. */
    NO_SIGNAL,
    /** A report arrived after {@link #NO_SIGNAL} was raised, so rules-svc can close that alert. */
    SIGNAL_RESTORED
}
