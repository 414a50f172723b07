from django.contrib import admin

from .models import Article, Course, Lesson, Question, SocialOrganisation, Volunteer


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "hours", "pass_mark", "published"]
    inlines = [LessonInline, QuestionInline]


admin.site.register(Article)
admin.site.register(SocialOrganisation)
admin.site.register(Volunteer)
