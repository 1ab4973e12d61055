from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from questions.models import Question

from .models import Domain, MisconceptionCard, TaskStatement


def domain_list(request):
    domains = Domain.objects.with_tasks().annotate(
        published=Count("questions", filter=Q(questions__status=Question.Status.PUBLISHED))
    )
    return render(request, "domains/domain_list.html", {"domains": domains})


def domain_detail(request, slug):
    domain = get_object_or_404(Domain.objects.with_tasks(), slug=slug)
    counts = dict(
        Question.objects.published()
        .filter(domain=domain)
        .values_list("task__number")
        .annotate(n=Count("id"))
    )
    tasks = [(task, counts.get(task.number, 0)) for task in domain.task_statements.all()]
    return render(request, "domains/domain_detail.html", {"domain": domain, "tasks": tasks})


def topic_detail(request, slug, number):
    task = get_object_or_404(
        TaskStatement.objects.select_related("domain"), domain__slug=slug, number=number
    )
    cards = task.misconceptions.all()
    published = Question.objects.published().filter(task=task).count()
    return render(
        request,
        "domains/topic_detail.html",
        {
            "task": task,
            "domain": task.domain,
            "cards": cards,
            "published": published,
        },
    )


def misconception_list(request):
    domains = Domain.objects.prefetch_related("misconceptions")
    return render(request, "domains/misconception_list.html", {"domains": domains})


def misconception_detail(request, slug):
    card = get_object_or_404(
        MisconceptionCard.objects.select_related("domain").prefetch_related(
            "task_statements__domain"
        ),
        slug=slug,
    )
    return render(request, "domains/misconception_detail.html", {"card": card})
