"""Texts written for the source-search tests: a second document, a paraphrase of the sample
memo, and same-topic text that reuses nothing."""

BRIEFING = """# Storm readiness briefing

This briefing goes to the depot leads only. It sets out how we will staff the network during the first storm weeks of the season and what we expect from each lead before the forecast turns.

## Staffing

Each depot will keep a standby crew of four people on call from Friday evening until Monday morning. The standby rota will be published every Thursday afternoon, and swaps must be agreed with the duty manager before noon on Friday.

Leads should check that every standby crew has a working van, a charged generator and a full set of pump spares. Anything missing should be reported to stores by Wednesday, so that there is time to move kit between sites.

## Communication

During a major outage the duty manager will send an update to all leads every two hours, even if nothing has changed. Leads should pass the update to their crews by radio, because the phone network is often the first thing to fail in a storm.
"""

# written for this test: the memo's "Why we are doing this" paragraph, reworded
PARAPHRASE = ("Over the past ten years the western depots have drifted apart. Every site holds separate stores, "
              "runs a separate rota and records faults its own way, which the writers call unsustainable. "
              "Millbrook crews sit waiting for parts that lie unused at Fenwick, and each winter Fenwick "
              "borrows Millbrook vans. The authors think both depots ought to share a single stores system "
              "and a single rota ahead of the coming storm season.")

# written for this test: same topic as the memo (depots, rotas, storms), no passage reused
SAME_TOPIC = ("Utility depots across the region are preparing for winter. Managers say that rotas, spare parts "
              "and van sharing are the usual pressure points when storms arrive, and several unions have asked "
              "for clearer rules on standby pay. One operator told us it is trialling tablets for job sheets, "
              "while another has merged two stores into one warehouse to cut delays.")
