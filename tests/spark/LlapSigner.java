// Hive's LlapSigner.Signable, which Spark 4's jars no longer ship (hive-llap-common): Hive's
// function registry cannot load without it. The test's Thrift server gets this empty stand-in on
// its classpath; a real cluster puts hive-llap-common-2.3.10.jar there.
package org.apache.hadoop.hive.llap.security;

public interface LlapSigner {
  interface Signable {}
}
