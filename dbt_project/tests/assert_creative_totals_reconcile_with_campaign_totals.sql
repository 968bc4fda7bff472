{#-
    Per campaign, day and gold metric, the creatives must not add up to MORE than the campaign on a
    settled day (macros/creative_reconciliation.sql). LinkedIn's campaign report counts the delivery
    of every creative of the campaign, including creatives its creative-level report leaves out
    (deleted ones), so creatives above the campaign can only come from our own processing: a
    duplicated or misattributed creative row, or a campaign-day missing from the campaign facts.
    Money is compared within the rounding its storage type implies. Error: fails the build.
    Creatives BELOW the campaign, and any difference on days LinkedIn may still change, only warn
    (warn_creative_totals_differ_from_campaign_totals.sql).
-#}
{{ config(severity='error') }}

{{ creative_vs_campaign_differences(where='creatives_above and settled') }}
