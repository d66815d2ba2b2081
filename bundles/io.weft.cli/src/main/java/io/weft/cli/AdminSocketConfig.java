package io.weft.cli;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** PID {@value #PID}: where the node serves weftctl. */
@ObjectClassDefinition(name = "Weft admin socket", description = "The Unix socket weftctl talks to (root only).")
public @interface AdminSocketConfig {
    String PID = "io.weft.admin";

    @AttributeDefinition(description = "Socket path; its directory is created owner-only (0700) and the socket is 0600")
    String path() default "/var/run/weft/admin.sock";

    @AttributeDefinition(description = "Serve weftctl at all")
    boolean enabled() default true;
}
