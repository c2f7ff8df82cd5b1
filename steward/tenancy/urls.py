from django.urls import path

from steward.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/edit/", views.client_edit, name="client_edit"),
    path("clients/<int:client_id>/sites/new/", views.site_create, name="site_create"),
    path("clients/<int:client_id>/sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path(
        "clients/<int:client_id>/sites/<int:site_id>/delete/",
        views.site_delete,
        name="site_delete",
    ),
    path("clients/<int:client_id>/contacts/new/", views.contact_create, name="contact_create"),
    path(
        "clients/<int:client_id>/contacts/<int:contact_id>/edit/",
        views.contact_edit,
        name="contact_edit",
    ),
    path(
        "clients/<int:client_id>/contacts/<int:contact_id>/delete/",
        views.contact_delete,
        name="contact_delete",
    ),
]
