"""The learner workspace (solo): learners, working copies, attempts.

Revision ID: 0001
Revises: None
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('learners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_learners')),
    sa.UniqueConstraint('name', name=op.f('uq_learners_name'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('exercise_id', sa.String(length=200), nullable=False),
    sa.Column('exercise_title', sa.String(length=400), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_seconds', sa.Float(), nullable=True),
    sa.Column('pastes', sa.Integer(), nullable=False),
    sa.Column('pasted_chars', sa.Integer(), nullable=False),
    sa.Column('note', sa.Float(), nullable=True),
    sa.Column('acquis', sa.Boolean(), nullable=True),
    sa.Column('reference_sha256', sa.String(length=64), nullable=False),
    sa.Column('score', sa.JSON(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_attempts_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('token', name=op.f('uq_attempts_token'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_exercise_id'), ['exercise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_learner_id'), ['learner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_submitted_at'), ['submitted_at'], unique=False)

    op.create_table('working_copies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sa.Integer(), nullable=False),
    sa.Column('exercise_id', sa.String(length=200), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pastes', sa.Integer(), nullable=False),
    sa.Column('pasted_chars', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learners.id'], name=op.f('fk_working_copies_learner_id_learners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_copies')),
    sa.UniqueConstraint('learner_id', 'exercise_id', 'mode', name='uq_working_copies_owner'),
    sa.UniqueConstraint('token', name=op.f('uq_working_copies_token'))
    )
    with op.batch_alter_table('working_copies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_working_copies_learner_id'), ['learner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('working_copies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_working_copies_learner_id'))

    op.drop_table('working_copies')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_attempts_learner_id'))
        batch_op.drop_index(batch_op.f('ix_attempts_exercise_id'))

    op.drop_table('attempts')
    op.drop_table('learners')
