// Finds and aborts hanging transactions: a partition still holding a transaction open whose last
// write is older than MIN_AGE_S, which no live transaction can be (the coordinator aborts any
// transaction older than its transaction.timeout.ms, 60 s in the services). A hanging transaction
// holds every read_committed reader of the partition back for good, and on __consumer_offsets it
// keeps the group's committed offsets "unstable". This is the check of Kafka's own
// `kafka-transactions.sh find-hanging` followed by its `abort`, run through the Admin API of
// kafka-clients (the only jar the tests fetch).
//
// Usage (single-file source launch; broker.sh abort-hanging runs it):
//   java -cp 'LIB/*' AbortHangingTransactions.java BOOTSTRAP TOPIC_PREFIX MIN_AGE_S
// Looks at the topics starting with TOPIC_PREFIX and at __consumer_offsets. Prints one line per
// transaction aborted and exits 0; exits 1 on an error.
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.AbortTransactionSpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeProducersResult.PartitionProducerState;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

public class AbortHangingTransactions {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: AbortHangingTransactions BOOTSTRAP TOPIC_PREFIX MIN_AGE_S");
      System.exit(2);
    }
    final String prefix = args[1];
    final long minAgeMs = Long.parseLong(args[2]) * 1000;
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    try (Admin admin = Admin.create(props)) {
      Set<String> topics = admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get()
          .stream()
          .filter(t -> t.startsWith(prefix) || t.equals("__consumer_offsets"))
          .collect(Collectors.toSet());
      List<TopicPartition> partitions = new ArrayList<>();
      for (TopicDescription topic : admin.describeTopics(topics).allTopicNames().get().values()) {
        topic.partitions().forEach(p -> partitions.add(new TopicPartition(topic.name(), p.partition())));
      }
      Map<TopicPartition, PartitionProducerState> states = admin.describeProducers(partitions).all().get();
      final long now = System.currentTimeMillis();
      for (Map.Entry<TopicPartition, PartitionProducerState> entry : states.entrySet()) {
        for (ProducerState producer : entry.getValue().activeProducers()) {
          if (producer.currentTransactionStartOffset().isEmpty()) continue;
          if (now - producer.lastTimestamp() < minAgeMs) continue;
          admin.abortTransaction(new AbortTransactionSpec(entry.getKey(), producer.producerId(),
                  (short) producer.producerEpoch(), producer.coordinatorEpoch().orElse(-1)))
              .all().get();
          System.out.printf("aborted hanging transaction: %s producerId %d epoch %d from offset %d, last write %d s ago%n",
              entry.getKey(), producer.producerId(), producer.producerEpoch(),
              producer.currentTransactionStartOffset().getAsLong(), (now - producer.lastTimestamp()) / 1000);
        }
      }
    }
  }
}
