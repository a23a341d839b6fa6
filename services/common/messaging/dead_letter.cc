#include "services/common/messaging/dead_letter.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace referral {

OutRecord MakeDeadLetter(const InRecord& in, absl::string_view topic, absl::string_view service,
                         absl::string_view reason, absl::string_view errors) {
  OutRecord out;
  out.topic = std::string(topic);
  out.key = std::string(in.key);
  out.value = std::string(in.value);
  for (const Header& header : in.headers) {
    if (absl::StartsWith(header.name, "ce_")) {
      out.headers.push_back({absl::StrCat(kDlqOriginalPrefix, header.name), header.value});
    } else {
      out.headers.push_back(header);
    }
  }
  out.headers.push_back({"ce_specversion", "1.0"});
  out.headers.push_back(
      {"ce_id", absl::StrCat(in.topic, "/", in.partition, "/", in.offset, "/dead_letter")});
  out.headers.push_back({"ce_source", absl::StrCat("/referral-gateway/", service)});
  out.headers.push_back({"ce_type", std::string(kDeadLetterType)});
  out.headers.push_back({std::string(kDlqReason), std::string(reason)});
  out.headers.push_back({std::string(kDlqErrors), std::string(errors)});
  out.headers.push_back({std::string(kDlqService), std::string(service)});
  out.headers.push_back({std::string(kDlqSourceTopic), std::string(in.topic)});
  out.headers.push_back({std::string(kDlqSourcePartition), absl::StrCat(in.partition)});
  out.headers.push_back({std::string(kDlqSourceOffset), absl::StrCat(in.offset)});
  return out;
}

OutRecord CutDeadLetter(OutRecord letter, DeadLetterForm form) {
  constexpr size_t kMaxHeaderValue = 1024;
  switch (form) {
    case DeadLetterForm::kWhole:
      return letter;
    case DeadLetterForm::kWithoutValue:
      letter.value.clear();
      letter.headers.push_back({std::string(kDlqOmitted), "value"});
      letter.headers.push_back({std::string(kDlqValueDropped), "true"});
      return letter;
    case DeadLetterForm::kCoordinatesOnly: {
      letter.key.clear();
      letter.value.clear();
      std::vector<Header> kept;
      for (Header& header : letter.headers) {
        if (!absl::StartsWith(header.name, "dlq_") && !absl::StartsWith(header.name, "ce_")) {
          continue;
        }
        if (header.value.size() > kMaxHeaderValue) header.value.resize(kMaxHeaderValue);
        kept.push_back(std::move(header));
      }
      kept.push_back({std::string(kDlqOmitted), "key,value,headers"});
      letter.headers = std::move(kept);
      return letter;
    }
  }
  return letter;
}

DeadLetterMetrics::DeadLetterMetrics(prometheus::Registry& registry)
    : family_(prometheus::BuildCounter()
                  .Name("referral_dead_letters_total")
                  .Help("Records dead-lettered in committed transactions, by reason (each once)")
                  .Register(registry)) {
  // Every reason at zero from the start: increase() ignores a series' first sample, so the first
  // dead letter of a reason would otherwise never show in a rate or an alert.
  for (absl::string_view reason : kDeadLetterReasons) For(reason);
}

prometheus::Counter& DeadLetterMetrics::For(absl::string_view reason) {
  return family_.Add({{"reason", std::string(reason)}});
}

OutRecord DeadLetterer::operator()(const InRecord& in, absl::string_view reason,
                                   absl::string_view errors) {
  if (pending_ != nullptr) {
    pending_->Add(metrics_.For(reason));
  } else {
    metrics_.For(reason).Increment();
  }
  return MakeDeadLetter(in, topic_, service_, reason, errors);
}

}  // namespace referral
