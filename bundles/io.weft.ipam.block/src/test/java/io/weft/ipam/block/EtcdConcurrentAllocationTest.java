package io.weft.ipam.block;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.weft.datastore.etcd.EtcdDatastore;
import io.weft.datastore.etcd.EtcdServer;

/**
 * {@link ConcurrentAllocationTest}'s property run against a real etcd (a throwaway single member
 * on free loopback ports, data in {@code /dev/shm}), through the production etcd datastore: four
 * nodes' compare-and-swap writes race over the network, as in a cluster. Without
 * {@code /usr/bin/etcd} it is skipped, loudly, naming the Debian package etcd-server.
 */
class EtcdConcurrentAllocationTest {

    @RegisterExtension
    final EtcdServer etcd = new EtcdServer();

    @Test
    void etcdDatastore() throws Exception {
        try (EtcdDatastore datastore = Fixture.etcd(etcd.clientUrl())) {
            ConcurrentAllocationTest.exercise(Fixture.over(datastore), Duration.ofSeconds(3), "etcd");
        }
    }
}
