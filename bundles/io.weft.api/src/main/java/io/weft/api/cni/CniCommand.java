package io.weft.api.cni;

/** The CNI verbs (CNI spec 1.1.0). */
public enum CniCommand {
    ADD, DEL, CHECK, STATUS, GC, VERSION
}
