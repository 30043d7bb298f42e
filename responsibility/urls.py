from django.urls import path

from . import account_views, letter_views, views

app_name = "responsibility"

urlpatterns = [
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_set_active, name="unit_set_active"),
    path("years/", views.year_list, name="year_list"),
    path("years/new/", views.year_create, name="year_create"),
    path("years/<int:year>/", views.year_detail, name="year_detail"),
    path("years/<int:year>/edit/", views.year_edit, name="year_edit"),
    path("catalog/", views.indicator_list, name="indicator_list"),
    path("catalog/new/", views.indicator_create, name="indicator_create"),
    path("catalog/<int:pk>/", views.indicator_edit, name="indicator_edit"),
    path("catalog/weights/<str:kind>/", views.indicator_weights, name="indicator_weights"),
    path("years/<int:year>/letters/differ/", letter_views.letter_differences, name="letter_differences"),
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/prepare/", letter_views.letter_prepare, name="letter_prepare"),
    path("letters/issue/", letter_views.letter_issue_all, name="letter_issue_all"),
    path("letters/<int:pk>/", letter_views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/targets/", letter_views.letter_targets, name="letter_targets"),
    path("letters/<int:pk>/issue/", letter_views.letter_issue, name="letter_issue"),
    path("letters/<int:pk>/sign/", letter_views.letter_sign, name="letter_sign"),
    path("letters/<int:pk>/amend/", letter_views.letter_amend, name="letter_amend"),
    path("letters/<int:pk>/reword/", letter_views.letter_reword, name="letter_reword"),
    path("letters/<int:pk>/print/", letter_views.letter_print, name="letter_print"),
    path("letters/<int:pk>/pdf/", letter_views.letter_pdf, name="letter_pdf"),
    path("letters/<int:pk>/scan/", letter_views.letter_scan, name="letter_scan"),
    path(
        "letters/<int:pk>/versions/<int:version>/scan/", letter_views.letter_scan, name="letter_version_scan"
    ),
    path("people/", account_views.person_list, name="person_list"),
    path("people/new/", account_views.person_create, name="person_create"),
    path("people/<int:pk>/", account_views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", account_views.person_edit, name="person_edit"),
    path("people/<int:pk>/password/", account_views.person_reset_password, name="person_reset_password"),
    path("people/<int:pk>/active/", account_views.person_set_active, name="person_set_active"),
    path("people/<int:pk>/memberships/", account_views.membership_add, name="membership_add"),
    path(
        "people/<int:pk>/memberships/<int:membership_pk>/delete/",
        account_views.membership_remove,
        name="membership_remove",
    ),
]
