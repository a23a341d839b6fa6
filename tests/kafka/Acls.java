// Creates or deletes ACLs on the secured test broker through kafka-clients' Admin API, as its
// admin (a super user). The bindings come as JSON lines on stdin, one per line:
//   {"principal": "User:router", "resourceType": "TOPIC", "name": "referrals.edt.avon.v1",
//    "patternType": "LITERAL", "operation": "WRITE"}
// (resourceType: TOPIC, GROUP, TRANSACTIONAL_ID or CLUSTER; patternType: LITERAL or PREFIXED;
// operation as Kafka's AclOperation.) Every binding allows, from any host.
//
// Usage (single-file source launch; broker.sh acls runs it):
//   java -cp 'LIB/*' Acls.java create|delete BOOTSTRAP ADMIN_PROPERTIES < bindings.jsonl
// ADMIN_PROPERTIES is librdkafka's form (broker.sh writes it): security.protocol, sasl.mechanisms,
// sasl.username, sasl.password, ssl.ca.location. Prints how many were created or deleted.
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

public class Acls {
  // The five string fields of a binding line; the lines are written by our own tests.
  private static String field(String line, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(line);
    if (!m.find()) throw new IllegalArgumentException("no \"" + name + "\" in " + line);
    return m.group(1);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3 || !(args[0].equals("create") || args[0].equals("delete"))) {
      System.err.println("usage: Acls.java create|delete BOOTSTRAP ADMIN_PROPERTIES < bindings");
      System.exit(2);
    }
    Properties rd = new Properties();
    rd.load(Files.newBufferedReader(Path.of(args[2])));
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
    props.put("security.protocol", rd.getProperty("security.protocol"));
    props.put("sasl.mechanism", rd.getProperty("sasl.mechanisms"));
    props.put("sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + rd.getProperty("sasl.username") + "\" password=\"" + rd.getProperty("sasl.password")
            + "\";");
    props.put("ssl.truststore.type", "PEM");
    props.put("ssl.truststore.location", rd.getProperty("ssl.ca.location"));

    List<AclBinding> bindings = new ArrayList<>();
    for (String line : new String(System.in.readAllBytes()).split("\n")) {
      if (line.isBlank()) continue;
      bindings.add(new AclBinding(
          new ResourcePattern(ResourceType.valueOf(field(line, "resourceType")),
              field(line, "name"), PatternType.valueOf(field(line, "patternType"))),
          new AccessControlEntry(field(line, "principal"), "*",
              AclOperation.valueOf(field(line, "operation")), AclPermissionType.ALLOW)));
    }
    try (Admin admin = Admin.create(props)) {
      if (args[0].equals("create")) {
        admin.createAcls(bindings).all().get();
        System.out.println("created " + bindings.size());
      } else {
        List<AclBindingFilter> filters = new ArrayList<>();
        for (AclBinding b : bindings) filters.add(b.toFilter());
        int deleted = admin.deleteAcls(filters).all().get().size();
        System.out.println("deleted " + deleted);
      }
    }
  }
}
