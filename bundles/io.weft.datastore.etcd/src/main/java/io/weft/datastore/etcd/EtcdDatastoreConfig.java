package io.weft.datastore.etcd;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration PID {@value #PID} ({@code etc/io.weft.datastore.etcd.cfg}). */
@ObjectClassDefinition(name = "Weft etcd datastore",
        description = "The datastore for clusters: etcd v3, reached through its JSON gateway (/v3/...).")
public @interface EtcdDatastoreConfig {
    String PID = "io.weft.datastore.etcd";

    @AttributeDefinition(name = "Endpoints",
            description = "Comma-separated etcd client URLs, http:// or https:// (TLS). Requests go to the first "
                    + "that answers; another is tried when one is unreachable.")
    String endpoints() default "http://127.0.0.1:2379";

    @AttributeDefinition(name = "User name",
            description = "etcd user when etcd runs with authentication enabled; empty: no authentication.")
    String username() default "";

    /**
     * Property {@code .password}: the leading dot keeps it out of the service's properties, where
     * {@code service:list} would show it to anyone on the console.
     */
    @AttributeDefinition(name = "Password", type = AttributeType.PASSWORD,
            description = "Password of the etcd user (property .password: private, so never a service property). "
                    + "Never logged.")
    String _password() default "";

    @AttributeDefinition(name = "CA certificate file",
            description = "PEM file of the CA that signed etcd's server certificate (https endpoints); empty: the "
                    + "JVM's default trust store.")
    String caFile() default "";

    @AttributeDefinition(name = "Client certificate file",
            description = "PEM client certificate for etcd's --client-cert-auth; needs keyFile too.")
    String certFile() default "";

    @AttributeDefinition(name = "Client key file",
            description = "PEM private key of the client certificate, in PKCS#8 form (BEGIN PRIVATE KEY); convert "
                    + "others with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key.pk8.pem")
    String keyFile() default "";

    @AttributeDefinition(name = "Key prefix",
            description = "Prepended to every key in etcd, to share one etcd between Weft clusters. Weft's keys "
                    + "already start with /weft/, so the default is empty.")
    String keyPrefix() default "";

    @AttributeDefinition(name = "Request timeout (ms)",
            description = "How long one request may take once connected; a write that times out may or may not "
                    + "have been applied.")
    int requestTimeoutMs() default 10_000;

    @AttributeDefinition(name = "Dial timeout (ms)", description = "How long to wait for a TCP (and TLS) connection.")
    int dialTimeoutMs() default 3_000;
}
