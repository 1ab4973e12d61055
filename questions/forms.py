from django import forms

from .models import ProblemReport


class ProblemReportForm(forms.ModelForm):
    class Meta:
        model = ProblemReport
        fields = ["reason", "text"]
        labels = {"reason": "What is wrong?", "text": "Details (optional)"}
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 4000})}
