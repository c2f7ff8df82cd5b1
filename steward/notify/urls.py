"""Pages of the notify app, under /notify/."""

from django.urls import path

from steward.notify.views import channels, deliveries, policies, templates

app_name = "notify"
urlpatterns = [
    path("notify/", deliveries.delivery_log, name="index"),
    path("notify/deliveries/<int:delivery_id>/", deliveries.delivery_detail, name="delivery"),
    path("notify/deliveries/<int:delivery_id>/retry/", deliveries.delivery_retry, name="retry"),
    path("notify/channels/", channels.channel_list, name="channels"),
    path("notify/channels/new/", channels.channel_create, name="channel_create"),
    path("notify/channels/<int:channel_id>/edit/", channels.channel_edit, name="channel_edit"),
    path(
        "notify/channels/<int:channel_id>/delete/", channels.channel_delete, name="channel_delete"
    ),
    path("notify/channels/<int:channel_id>/test/", channels.channel_test, name="channel_test"),
    path("notify/policies/", policies.policy_list, name="policies"),
    path("notify/policies/new/", policies.policy_create, name="policy_create"),
    path("notify/policies/<int:policy_id>/edit/", policies.policy_edit, name="policy_edit"),
    path("notify/policies/<int:policy_id>/delete/", policies.policy_delete, name="policy_delete"),
    path("notify/templates/", templates.template_list, name="templates"),
    path("notify/templates/edit/", templates.template_edit, name="template"),
    path("notify/templates/preview/", templates.template_preview, name="template_preview"),
]
